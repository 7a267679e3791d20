using System.Globalization;

namespace Backchannel.LoadGen;

public enum RunMode
{
    Flows,
    Polling,
    Endpoint,
}

/// <summary>How the flows' tokens reach the client: polled (poll), polled after a notification (ping), or delivered (push).</summary>
public enum TokenDelivery
{
    Poll,
    Ping,
    Push,
}

public enum TargetEndpoint
{
    BcAuthorize,
    Discovery,
}

/// <summary>Command-line options. Every option has a default, so `loadgen flows` alone runs against a local provider.</summary>
public sealed class LoadGenOptions
{
    public RunMode Mode { get; private set; } = RunMode.Flows;
    public Uri Provider { get; private set; } = new("http://127.0.0.1:5100");
    public string ClientId { get; private set; } = "bench-client";
    public string ClientSecret { get; private set; } = "bench-secret";
    public IReadOnlyList<string> LoginHints { get; private set; } = ["alice"];
    public string Scope { get; private set; } = "openid";
    public Uri DeviceListen { get; private set; } = new("http://127.0.0.1:5200/notify");
    public string DeviceToken { get; private set; } = "bench-device-token";
    public int Concurrency { get; private set; } = 16;

    /// <summary>flows mode: the client's token delivery mode (the client must be registered with it).</summary>
    public TokenDelivery Delivery { get; private set; } = TokenDelivery.Poll;

    /// <summary>ping/push: the client_notification_token sent with each request (256 random bits, fixed for the run).</summary>
    public string ClientNotificationToken { get; } = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>ping/push: the path of the device listener that receives the client notifications.</summary>
    public const string ClientNotificationPath = "/client-notify";

    /// <summary>flows mode: start flows at this many per second (open loop) instead of as fast as the loops go.</summary>
    public double? Rate { get; private set; }
    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(20);
    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(5);
    /// <summary>requested_expiry in seconds; null = not sent (flows, endpoint) or 600 (polling).</summary>
    public int? RequestedExpiry { get; private set; }
    public int Pending { get; private set; } = 10_000;
    public TargetEndpoint Endpoint { get; private set; } = TargetEndpoint.BcAuthorize;
    public int? ServerPid { get; private set; }
    public string? JsonPath { get; private set; }
    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(10);
    public double MaxFailurePercent { get; private set; } = 1.0;
    public bool Quiet { get; private set; }

    /// <summary>flows mode: every /token request carries a fresh DPoP proof (ES256, one key per flow loop); the token must be a DPoP token.</summary>
    public bool Dpop { get; private set; }

    /// <summary>flows mode: the client certificate (PKCS#12 without password, or PEM with <see cref="MtlsKey"/>) for tls_client_auth.</summary>
    public string? MtlsCertificate { get; private set; }

    /// <summary>The PEM private key of <see cref="MtlsCertificate"/> when that is a PEM certificate.</summary>
    public string? MtlsKey { get; private set; }

    /// <summary>The https base URL of the provider's mutual-TLS endpoint aliases: bc-authorize and token go there.</summary>
    public Uri? MtlsBase { get; private set; }

    /// <summary>PEM CA certificate(s) the alias's server certificate must chain to (none: the system's trust store).</summary>
    public string? MtlsServerCa { get; private set; }
    public bool Help { get; private set; }

    /// <summary>The path the device listener serves (the path of --device-listen, or /notify when it has none).</summary>
    public string DevicePath => DeviceListen.AbsolutePath is "" or "/" ? "/notify" : DeviceListen.AbsolutePath.TrimEnd('/');

    public Uri DeviceNotifyUrl => new(DeviceListen, DevicePath);

    public Uri ClientNotifyUrl => new(DeviceListen, ClientNotificationPath);

    /// <summary>The requested_expiry actually sent, or null.</summary>
    public int? EffectiveRequestedExpiry => RequestedExpiry ?? (Mode == RunMode.Polling ? 600 : null);

    public static LoadGenOptions Parse(string[] args)
    {
        var o = new LoadGenOptions();
        var i = 0;
        if (args.Length > 0 && !args[0].StartsWith('-'))
        {
            o.Mode = ParseMode(args[0]);
            i = 1;
        }

        for (; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Length)
                {
                    throw new OptionsException($"{arg} needs a value");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "-h" or "--help":
                    o.Help = true;
                    break;
                case "--mode":
                    o.Mode = ParseMode(Value());
                    break;
                case "--provider":
                    o.Provider = ParseHttpUri(arg, Value());
                    break;
                case "--client-id":
                    o.ClientId = NonEmpty(arg, Value());
                    break;
                case "--client-secret":
                    o.ClientSecret = Value();
                    break;
                case "--login-hint":
                    o.LoginHints = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (o.LoginHints.Count == 0)
                    {
                        throw new OptionsException("--login-hint needs at least one value");
                    }

                    break;
                case "--scope":
                    o.Scope = NonEmpty(arg, Value());
                    break;
                case "--device-listen":
                    o.DeviceListen = ParseHttpUri(arg, Value());
                    if (o.DeviceListen.Scheme != Uri.UriSchemeHttp)
                    {
                        throw new OptionsException("--device-listen must be an http:// URL (the listener does not do TLS)");
                    }

                    break;
                case "--delivery":
                    o.Delivery = Value().ToLowerInvariant() switch
                    {
                        "poll" => TokenDelivery.Poll,
                        "ping" => TokenDelivery.Ping,
                        "push" => TokenDelivery.Push,
                        var v => throw new OptionsException($"--delivery must be poll, ping or push (got '{v}')"),
                    };
                    break;
                case "--device-token":
                    o.DeviceToken = NonEmpty(arg, Value());
                    break;
                case "--concurrency" or "-c":
                    o.Concurrency = ParseInt(arg, Value(), 1, 100_000);
                    break;
                case "--rate":
                    o.Rate = ParseDouble(arg, Value(), max: 1_000_000);
                    if (o.Rate <= 0)
                    {
                        throw new OptionsException("--rate must be a positive number of flows per second");
                    }

                    break;
                case "--duration" or "-d":
                    o.Duration = ParseDuration(arg, Value(), allowZero: false);
                    break;
                case "--warmup" or "-w":
                    o.Warmup = ParseDuration(arg, Value(), allowZero: true);
                    break;
                case "--requested-expiry":
                    o.RequestedExpiry = ParseInt(arg, Value(), 1, int.MaxValue);
                    break;
                case "--pending":
                    o.Pending = ParseInt(arg, Value(), 1, 10_000_000);
                    break;
                case "--endpoint":
                    o.Endpoint = Value().ToLowerInvariant() switch
                    {
                        "bc-authorize" or "backchannel" => TargetEndpoint.BcAuthorize,
                        "discovery" => TargetEndpoint.Discovery,
                        var v => throw new OptionsException($"--endpoint must be bc-authorize or discovery (got '{v}')"),
                    };
                    break;
                case "--server-pid":
                    o.ServerPid = ParseInt(arg, Value(), 1, int.MaxValue);
                    break;
                case "--json":
                    o.JsonPath = NonEmpty(arg, Value());
                    break;
                case "--timeout":
                    o.Timeout = ParseDuration(arg, Value(), allowZero: false);
                    break;
                case "--max-failure-percent":
                    o.MaxFailurePercent = ParseDouble(arg, Value());
                    break;
                case "--dpop":
                    o.Dpop = true;
                    break;
                case "--mtls-cert":
                    o.MtlsCertificate = ExistingFile(arg, Value());
                    break;
                case "--mtls-key":
                    o.MtlsKey = ExistingFile(arg, Value());
                    break;
                case "--mtls-base":
                    o.MtlsBase = ParseHttpUri(arg, Value());
                    if (o.MtlsBase.Scheme != Uri.UriSchemeHttps)
                    {
                        throw new OptionsException("--mtls-base must be an https:// URL (the mutual-TLS endpoint aliases)");
                    }

                    break;
                case "--mtls-server-ca":
                    o.MtlsServerCa = ExistingFile(arg, Value());
                    break;
                case "--quiet" or "-q":
                    o.Quiet = true;
                    break;
                default:
                    throw new OptionsException($"unknown option '{args[i]}' (see --help)");
            }
        }

        if (o.Delivery != TokenDelivery.Poll && o.Mode != RunMode.Flows)
        {
            throw new OptionsException("--delivery ping|push is for the flows mode");
        }

        if (o.Delivery != TokenDelivery.Poll && o.DevicePath == ClientNotificationPath)
        {
            throw new OptionsException($"--device-listen must not use the path {ClientNotificationPath}: it receives the client notifications");
        }

        if ((o.MtlsCertificate is null) != (o.MtlsBase is null))
        {
            throw new OptionsException("--mtls-cert and --mtls-base go together");
        }

        if ((o.MtlsKey is not null || o.MtlsServerCa is not null) && o.MtlsCertificate is null)
        {
            throw new OptionsException("--mtls-key and --mtls-server-ca need --mtls-cert and --mtls-base");
        }

        if ((o.Dpop || o.MtlsCertificate is not null) && (o.Mode != RunMode.Flows || o.Delivery == TokenDelivery.Push))
        {
            throw new OptionsException("--dpop and --mtls-cert are for the flows mode with poll or ping delivery (push has no token request)");
        }

        return o;
    }

    private static string ExistingFile(string name, string value) =>
        File.Exists(value) ? value : throw new OptionsException($"{name}: no file '{value}'");

    private static RunMode ParseMode(string value) => value.ToLowerInvariant() switch
    {
        "flows" => RunMode.Flows,
        "polling" => RunMode.Polling,
        "endpoint" => RunMode.Endpoint,
        _ => throw new OptionsException($"mode must be flows, polling or endpoint (got '{value}')"),
    };

    private static string NonEmpty(string name, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new OptionsException($"{name} must not be empty") : value;

    private static Uri ParseHttpUri(string name, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new OptionsException($"{name} must be an absolute http(s) URL (got '{value}')");
        }

        return uri;
    }

    private static int ParseInt(string name, string value, int min, int max)
    {
        if (!int.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw new OptionsException($"{name} must be an integer from {min} to {max} (got '{value}')");
        }

        return n;
    }

    private static double ParseDouble(string name, string value, double max = 100)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || d < 0 || d > max)
        {
            throw new OptionsException($"{name} must be a number from 0 to {max.ToString(CultureInfo.InvariantCulture)} (got '{value}')");
        }

        return d;
    }

    /// <summary>Seconds ("20", "2.5"), or with a unit: "500ms", "20s", "2m".</summary>
    public static TimeSpan ParseDuration(string name, string value, bool allowZero)
    {
        var v = value.Trim().ToLowerInvariant();
        double factor = 1;
        if (v.EndsWith("ms", StringComparison.Ordinal))
        {
            factor = 0.001;
            v = v[..^2];
        }
        else if (v.EndsWith('s'))
        {
            v = v[..^1];
        }
        else if (v.EndsWith('m'))
        {
            factor = 60;
            v = v[..^1];
        }

        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || double.IsNaN(n) || n < 0 || (!allowZero && n == 0) || n * factor > 86_400)
        {
            throw new OptionsException($"{name} must be a duration such as 20, 20s, 500ms or 2m{(allowZero ? "" : ", above zero")} (got '{value}')");
        }

        return TimeSpan.FromSeconds(n * factor);
    }

    public const string Usage = """
        Backchannel.LoadGen: drives CIBA (poll, ping or push mode) flows against an OpenID Provider and plays its
        authentication-device service.

        usage: Backchannel.LoadGen [flows|polling|endpoint] [options]

        modes
          flows       N concurrent loops of complete flows: bc-authorize -> device notification -> callback
                      (approved) -> token (default); with --delivery ping: ... -> ping -> token;
                      with --delivery push: ... -> push (the tokens)
          polling     create --pending requests that are never approved, then poll each at its interval
          endpoint    hammer one endpoint (--endpoint bc-authorize|discovery)

        options
          --mode MODE                 the mode, instead of the first argument
          --provider URL              issuer / base URL; discovery at {URL}/.well-known/openid-configuration
                                      (default http://127.0.0.1:5100)
          --client-id ID              (default bench-client)
          --client-secret SECRET      HTTP Basic client authentication (default bench-secret)
          --login-hint HINT[,HINT..]  login_hint, several are used in turn (default alice)
          --scope SCOPE               (default openid)
          --device-listen URL         where the device notifications are received (default
                                      http://127.0.0.1:5200/notify; a URL without a path serves /notify)
          --device-token TOKEN        bearer token the provider must send with notifications
                                      (default bench-device-token)
          --delivery MODE             flows: poll (default), ping or push. ping/push send a
                                      client_notification_token and expect the client notification at
                                      /client-notify on the device listener (register the client with
                                      that backchannel_client_notification_endpoint); ping then redeems at
                                      /token, push completes the flow when the tokens arrive
          -c, --concurrency N         concurrent loops (default 16)
          -w, --warmup DURATION       not measured (default 5s)
          -d, --duration DURATION     measured window (default 20s)
          --requested-expiry SECONDS  requested_expiry to send (default: none; 600 in polling mode)
          --pending N                 polling: pending requests to create (default 10000)
          --rate N                    flows: start N flows per second (open loop; --concurrency caps flows in progress)
          --endpoint NAME             endpoint mode: bc-authorize (default) or discovery
          --timeout DURATION          per HTTP request and per wait for a notification (default 10s)
          --server-pid PID            report this process's CPU seconds during the window and its RSS
          --json PATH                 also write the report as JSON
          --max-failure-percent P     exit 1 when more than P % of flows/requests failed (default 1)
          --dpop                      flows: every token request carries a fresh DPoP proof (ES256, one key
                                      per flow loop, made when the loop starts); a flow counts as failed
                                      unless the answer's token_type is DPoP
          --mtls-cert PATH            flows: authenticate with tls_client_auth (client_id in the form, no
                                      secret) presenting this certificate: PKCS#12 (.pfx/.p12, no
                                      password) or PEM with --mtls-key; bc-authorize and token go to
                                      the aliases under --mtls-base over pooled TLS connections; a flow
                                      counts as failed unless the access token (a JWT) has cnf.x5t#S256
                                      of this certificate
          --mtls-key PATH             the PEM private key of a PEM --mtls-cert
          --mtls-base URL             the https base URL of the mutual-TLS endpoint aliases (with --mtls-cert)
          --mtls-server-ca PATH       PEM CA the alias's server certificate must chain to (default: the
                                      system's trust store)
          -q, --quiet                 no progress lines
          -h, --help

        exit codes: 0 ok, 1 too many failures, 2 bad options or provider not usable
        """;
}

public sealed class OptionsException(string message) : Exception(message);
