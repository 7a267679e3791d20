namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>The clients and users every test provider is configured with.</summary>
internal static class TestClients
{
    public const string Poll = "poll-client";
    public const string PollSecret = "poll-client-secret";
    public const string Post = "post-client";
    public const string PostSecret = "post-client-secret";
    public const string Jwt = "jwt-client";
    public const string UserCode = "code-client";
    public const string UserCodeSecret = "code-client-secret";
    public const string Signed = "signed-client";
    public const string NoRefresh = "norefresh-client";
    public const string NoRefreshSecret = "norefresh-client-secret";
    public const string Ping = "ping-client";
    public const string PingSecret = "ping-client-secret";
    public const string Push = "push-client";
    public const string PushSecret = "push-client-secret";

    /// <summary>A client_notification_token: 32 random bytes, base64url.</summary>
    public static string NewNotificationToken() => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>A ping client and a push client whose notification endpoint is <paramref name="endpoint"/>.</summary>
    public static Dictionary<string, string?> Notifying(string endpoint) => new()
    {
        ["Backchannel:Clients:6:client_id"] = Ping,
        ["Backchannel:Clients:6:client_secret"] = PingSecret,
        ["Backchannel:Clients:6:backchannel_token_delivery_mode"] = "ping",
        ["Backchannel:Clients:6:backchannel_client_notification_endpoint"] = endpoint,
        ["Backchannel:Clients:7:client_id"] = Push,
        ["Backchannel:Clients:7:client_secret"] = PushSecret,
        ["Backchannel:Clients:7:backchannel_token_delivery_mode"] = "push",
        ["Backchannel:Clients:7:backchannel_client_notification_endpoint"] = endpoint,
    };

    /// <summary>The private_key_jwt client's key (also signs its login_hint_tokens).</summary>
    public static readonly TestKey JwtKey = TestKey.EllipticCurve();

    /// <summary>The key of the client that must sign its authentication requests (PS256).</summary>
    public static readonly TestKey SignedKey = TestKey.Rsa("PS256");

    public const string AliceUserCode = "1234";

    public static IEnumerable<KeyValuePair<string, string?>> Configuration()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Backchannel:Clients:0:client_id"] = Poll,
            ["Backchannel:Clients:0:client_secret"] = PollSecret,
            ["Backchannel:Clients:0:client_name"] = "Poll test client",
            ["Backchannel:Clients:0:backchannel_token_delivery_mode"] = "poll",

            ["Backchannel:Clients:1:client_id"] = Post,
            ["Backchannel:Clients:1:client_secret"] = PostSecret,
            ["Backchannel:Clients:1:token_endpoint_auth_method"] = "client_secret_post",
            ["Backchannel:Clients:1:backchannel_token_delivery_mode"] = "poll",

            ["Backchannel:Clients:2:client_id"] = Jwt,
            ["Backchannel:Clients:2:token_endpoint_auth_method"] = "private_key_jwt",
            ["Backchannel:Clients:2:backchannel_token_delivery_mode"] = "poll",

            ["Backchannel:Clients:3:client_id"] = UserCode,
            ["Backchannel:Clients:3:client_secret"] = UserCodeSecret,
            ["Backchannel:Clients:3:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:3:backchannel_user_code_parameter"] = "true",

            ["Backchannel:Clients:4:client_id"] = Signed,
            ["Backchannel:Clients:4:token_endpoint_auth_method"] = "private_key_jwt",
            ["Backchannel:Clients:4:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:4:backchannel_authentication_request_signing_alg"] = "PS256",

            ["Backchannel:Clients:5:client_id"] = NoRefresh,
            ["Backchannel:Clients:5:client_secret"] = NoRefreshSecret,
            ["Backchannel:Clients:5:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:5:grant_types:0"] = "urn:openid:params:grant-type:ciba",

            ["Backchannel:Users:0:sub"] = "alice-sub",
            ["Backchannel:Users:0:username"] = "alice",
            ["Backchannel:Users:0:email"] = "alice@example.com",
            ["Backchannel:Users:0:phone_number"] = "+15555550100",
            ["Backchannel:Users:0:name"] = "Alice Example",
            ["Backchannel:Users:0:user_code"] = AliceUserCode,
            ["Backchannel:Users:0:claims:given_name"] = "Alice",

            ["Backchannel:Users:1:sub"] = "bob-sub",
            ["Backchannel:Users:1:username"] = "bob",
            ["Backchannel:Users:1:email"] = "bob@example.com",
        };

        return settings.Concat(JwtKey.AsConfiguration("Backchannel:Clients:2")).Concat(SignedKey.AsConfiguration("Backchannel:Clients:4"));
    }
}
