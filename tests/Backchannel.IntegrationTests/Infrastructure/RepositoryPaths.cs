namespace Backchannel.IntegrationTests.Infrastructure;

internal static class RepositoryPaths
{
    /// <summary>The repository root (where Backchannel.slnx is).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration these tests were built in, which the host was built in too.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string HostAssembly => Path.Combine(Root, "src", "Backchannel.Host", "bin", Configuration, "net10.0", "Backchannel.Host.dll");

    public static string LoadGenAssembly => Path.Combine(Root, "bench", "Backchannel.LoadGen", "bin", Configuration, "net10.0", "Backchannel.LoadGen.dll");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Backchannel.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Backchannel.slnx not found above " + AppContext.BaseDirectory);
    }
}
