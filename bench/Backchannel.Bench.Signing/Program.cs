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
var result = SigningSummary.From(summary, quick ? "quick" : "full");
result.PrintTable(Console.Out);
result.WriteJson(summaryPath);
Console.WriteLine($"summary written to {Path.GetFullPath(summaryPath)}");
return result.Complete ? 0 : 1;
