using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Backchannel.Bench.Signing;

const string Usage = "usage: Backchannel.Bench.Signing [--quick] [--in-process] [--summary-json <path>]\n"
    + "       Backchannel.Bench.Signing --all-cores-only <seconds>   (no BenchmarkDotNet: one JSON line of JWT sign/s per core,\n"
    + "                                                              with every core signing and with one thread)";

bool quick = false, inProcess = false;
string? summaryPath = null;
double? allCoresOnlySeconds = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick": quick = true; break;
        case "--in-process": inProcess = true; break;
        case "--summary-json" when i + 1 < args.Length: summaryPath = args[++i]; break;
        case "--all-cores-only" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
            allCoresOnlySeconds = seconds;
            i++;
            break;
        case "-h" or "--help": Console.WriteLine(Usage); return 0;
        default: Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'\n{Usage}"); return 2;
    }
}

if (allCoresOnlySeconds is { } only)
{
    // One JSON line for scripts (bench/rsa-bound.sh measures the bound right before each load run).
    string[] algs = ["RS256", "PS256", "ES256"];
    var rates = new Dictionary<string, Dictionary<string, double>>
    {
        ["allCoresBusy"] = algs.ToDictionary(alg => alg, alg => Math.Round(AllCoresSigning.JwtSignPerSecPerCore(alg, TimeSpan.FromSeconds(only)), 1)),
        ["oneThread"] = algs.ToDictionary(alg => alg, alg => Math.Round(AllCoresSigning.JwtSignPerSecPerCore(alg, TimeSpan.FromSeconds(only), threads: 1), 1)),
    };
    Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(rates));
    return 0;
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
