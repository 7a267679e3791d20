using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Backchannel.Bench.Signing;

const string Usage = "usage: Backchannel.Bench.Signing [--quick] [--in-process] [--summary-json <path>]";

bool quick = false, inProcess = false;
string? summaryPath = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick": quick = true; break;
        case "--in-process": inProcess = true; break;
        case "--summary-json" when i + 1 < args.Length: summaryPath = args[++i]; break;
        case "-h" or "--help": Console.WriteLine(Usage); return 0;
        default: Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'\n{Usage}"); return 2;
    }
}

// ShortRun: 1 launch, 3 warm-up and 3 measured iterations; Default lets BenchmarkDotNet decide.
var job = quick ? Job.ShortRun : Job.Default;
if (inProcess)
    job = job.WithToolchain(InProcessEmitToolchain.Instance);

var config = ManualConfig.Create(DefaultConfig.Instance).AddJob(job);
var summary = BenchmarkRunner.Run<SigningBenchmarks>(config);

// Default: next to BenchmarkDotNet's own results, i.e. BenchmarkDotNet.Artifacts/signing-summary.json.
summaryPath ??= Path.Combine(Path.GetDirectoryName(summary.ResultsDirectoryPath)!, "signing-summary.json");
// Then every core at once, for the rate a busy server gets (BenchmarkDotNet measures one thread).
var allCores = new Dictionary<string, double>();
foreach (var alg in new[] { "RS256", "PS256", "ES256" })
{
    allCores[alg] = AllCoresSigning.JwtSignPerSecPerCore(alg, TimeSpan.FromSeconds(quick ? 2 : 5));
    Console.WriteLine($"// {alg}: {allCores[alg]:N0} JWT signatures/s per core with all {Environment.ProcessorCount} cores signing");
}

var result = SigningSummary.From(summary, quick ? "quick" : "full", allCores);
result.PrintTable(Console.Out);
result.WriteJson(summaryPath);
Console.WriteLine($"summary written to {Path.GetFullPath(summaryPath)}");
return result.Complete ? 0 : 1;
