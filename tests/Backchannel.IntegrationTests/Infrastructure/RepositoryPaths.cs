namespace Backchannel.IntegrationTests.Infrastructure;

internal static class RepositoryPaths
{
    /// <summary>The repository root (where Backchannel.slnx is).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration these tests were built in, which the host was built in too.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string HostAssembly => Built("src", "Backchannel.Host");

    public static string LoadGenAssembly => Built("bench", "Backchannel.LoadGen");

    /// <summary>
    /// A project's built assembly: beside its project, or under BACKCHANNEL_ARTIFACTS when the build used
    /// --artifacts-path (a second working build of the same checkout).
    /// </summary>
    private static string Built(string folder, string project) =>
        Environment.GetEnvironmentVariable("BACKCHANNEL_ARTIFACTS") is { Length: > 0 } artifacts
            ? Path.Combine(artifacts, "bin", project, Configuration.ToLowerInvariant(), project + ".dll")
            : Path.Combine(Root, folder, project, "bin", Configuration, "net10.0", project + ".dll");

    private static string FindRoot()
    {
        // A build with --artifacts-path lives outside the repository; it names the repository here.
        if (Environment.GetEnvironmentVariable("BACKCHANNEL_REPOSITORY_ROOT") is { Length: > 0 } root)
        {
            return root;
        }

        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Backchannel.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Backchannel.slnx not found above " + AppContext.BaseDirectory);
    }
}
