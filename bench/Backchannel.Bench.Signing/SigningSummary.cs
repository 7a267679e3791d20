using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Reports;

namespace Backchannel.Bench.Signing;

/// <summary>Per-algorithm figures derived from one BenchmarkDotNet run (means in nanoseconds).</summary>
public sealed record AlgorithmFigures(
    string Alg,
    double? JwtSignNs, double? RawSignNs, double? JwtVerifyNs, double? RawVerifyNs,
    double? JwtSignPerSec, double? RawSignPerSec, double? JwtVerifyPerSec, double? RawVerifyPerSec,
    double? CibaFlowsPerSecPerCore, double? CibaFlowsPerSec2Cores,
    double? AllCoresJwtSignPerSecPerCore, double? AllCoresCibaFlowsPerSecPerCore);

/// <summary>
/// Turns the benchmark means into throughput and an upper bound on CIBA flows: one flow signs an
/// ID token and a JWT access token with the token algorithm plus one ES256 device-callback token,
/// and verifies nothing on the hot path, so bound = 1 / (2 * t_sign(alg) + t_sign(ES256)).
/// The bound uses the product path (JwsWriter); 2 cores assumes perfect scaling. The all-cores figures use the signing
/// rate measured with every core signing at once (<see cref="AllCoresSigning"/>), which is what a busy server gets.
/// </summary>
public sealed record SigningSummary(
    string Mode, DateTimeOffset GeneratedUtc, int ProcessorCount, string Runtime, string Os,
    string FlowModel, IReadOnlyList<AlgorithmFigures> Algorithms)
{
    private const string CallbackAlg = "ES256";
    private static readonly string[] Order = ["RS256", "PS256", "ES256"];
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep "+" readable in flowModel
    };

    [JsonIgnore]
    public bool Complete => Algorithms.All(a => a.CibaFlowsPerSecPerCore is not null && a.JwtVerifyPerSec is not null
        && a.RawSignPerSec is not null && a.RawVerifyPerSec is not null);

    public static SigningSummary From(Summary summary, string mode, IReadOnlyDictionary<string, double> allCoresSignPerSec)
    {
        // (alg, method) -> mean ns; missing when a benchmark failed.
        var means = summary.Reports
            .Where(r => r.ResultStatistics is not null)
            .ToDictionary(
                r => ((string)r.BenchmarkCase.Parameters["Alg"], r.BenchmarkCase.Descriptor.WorkloadMethod.Name),
                r => r.ResultStatistics!.Mean);
        double? Mean(string alg, string method) => means.TryGetValue((alg, method), out var ns) ? ns : null;
        static double? PerSec(double? ns) => ns is > 0 ? 1e9 / ns : null;

        var callbackSign = Mean(CallbackAlg, nameof(SigningBenchmarks.JwtSign));
        var figures = Order.Select(alg =>
        {
            var jwtSign = Mean(alg, nameof(SigningBenchmarks.JwtSign));
            var flowNs = jwtSign is null || callbackSign is null ? (double?)null : 2 * jwtSign.Value + callbackSign.Value;
            var perCore = PerSec(flowNs);
            double? allCores = allCoresSignPerSec.TryGetValue(alg, out var r) ? r : null;
            double? allCoresFlows = allCores is > 0 && allCoresSignPerSec.TryGetValue(CallbackAlg, out var es) && es > 0
                ? 1 / (2 / allCores.Value + 1 / es)
                : null;
            return new AlgorithmFigures(alg,
                jwtSign, Mean(alg, nameof(SigningBenchmarks.RawSign)),
                Mean(alg, nameof(SigningBenchmarks.JwtVerify)), Mean(alg, nameof(SigningBenchmarks.RawVerify)),
                PerSec(jwtSign), PerSec(Mean(alg, nameof(SigningBenchmarks.RawSign))),
                PerSec(Mean(alg, nameof(SigningBenchmarks.JwtVerify))), PerSec(Mean(alg, nameof(SigningBenchmarks.RawVerify))),
                perCore, perCore * 2, allCores, allCoresFlows);
        }).ToList();

        var env = summary.HostEnvironmentInfo;
        return new SigningSummary(mode, DateTimeOffset.UtcNow, Environment.ProcessorCount,
            env.RuntimeVersion, env.Os.Value.ToString(),
            "flows/s = 1e9 / (2 * JwtSign_ns(alg) + JwtSign_ns(ES256)); 2 cores = 2 x per-core (ideal scaling); all cores busy: the same with the sign rates measured while every core signs",
            figures);
    }

    public void PrintTable(TextWriter w)
    {
        string[] header = ["Alg", "JWT sign/s", "raw sign/s", "JWT verify/s", "raw verify/s", "CIBA flows/s/core", "CIBA flows/s (2 cores)", "JWT sign/s/core, all cores busy", "CIBA flows/s/core, all cores busy"];
        var rows = Algorithms.Select(a => new[]
        {
            a.Alg, Fmt(a.JwtSignPerSec), Fmt(a.RawSignPerSec), Fmt(a.JwtVerifyPerSec), Fmt(a.RawVerifyPerSec),
            Fmt(a.CibaFlowsPerSecPerCore), Fmt(a.CibaFlowsPerSec2Cores), Fmt(a.AllCoresJwtSignPerSecPerCore), Fmt(a.AllCoresCibaFlowsPerSecPerCore),
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |";

        w.WriteLine();
        w.WriteLine($"// Signing summary ({Mode}; BenchmarkDotNet columns single-threaded, per core; {ProcessorCount} logical cores, {Runtime})");
        w.WriteLine(Line(header));
        w.WriteLine("|" + string.Join("|", widths.Select((n, i) => i == 0 ? new string('-', n + 2) : new string('-', n + 1) + ":")) + "|");
        foreach (var row in rows)
            w.WriteLine(Line(row));
        w.WriteLine($"// {FlowModel}; ES256 is the device-callback token's algorithm.");
    }

    public void WriteJson(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
            Directory.CreateDirectory(dir);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
    }

    private static string Fmt(double? v) => v is null ? "n/a" : v.Value.ToString("N0", CultureInfo.InvariantCulture);
}
