using System.Net;
using System.Security.Cryptography;
using System.Text;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.IntegrationTests;

/// <summary>Push mode (CIBA 10.3): tokens or errors are delivered to the client's endpoint.</summary>
public class PushModeTests
{
    [Fact]
    public async Task Approved_request_pushes_tokens_whose_id_token_binds_them_to_the_request()
    {
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        await using var provider = await TestProvider.StartAsync(TestClients.Notifying(receiver.Endpoint));
        var notificationToken = TestClients.NewNotificationToken();

        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Push, clientSecret: TestClients.PushSecret,
            configure: r => { r.ClientNotificationToken = notificationToken; r.AcrValues = "urn:example:push"; });
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.Null(authorization.Interval);
        await provider.Device.ApproveNextAsync();

        var push = await receiver.NextAsync();
        Assert.Equal($"Bearer {notificationToken}", push.Authorization);
        Assert.Equal(authorization.AuthenticationRequestId, push.AuthReqId);
        Assert.Equal("Bearer", push.Body.GetProperty("token_type").GetString());
        Assert.Equal(3600, push.Body.GetProperty("expires_in").GetInt32());
        var accessToken = push.Body.GetProperty("access_token").GetString()!;
        var refreshToken = push.Body.GetProperty("refresh_token").GetString()!;

        var idToken = await TokenAssertions.ValidateIdTokenAsync(provider, push.Body.GetProperty("id_token").GetString()!, TestClients.Push);
        Assert.Equal(authorization.AuthenticationRequestId, idToken.GetClaim("urn:openid:params:jwt:claim:auth_req_id").Value);
        Assert.Equal(LeftHalfSha256(accessToken), idToken.GetClaim("at_hash").Value);
        Assert.Equal(LeftHalfSha256(refreshToken), idToken.GetClaim("urn:openid:params:jwt:claim:rt_hash").Value);
        Assert.Equal("urn:example:push", idToken.GetClaim("acr").Value);
        await TokenAssertions.ValidateAccessTokenAsync(provider, accessToken);
        Assert.Equal("alice-sub", (await TokenAssertions.UserInfoAsync(provider, accessToken))["sub"].GetString());

        // The pushed refresh token works, once.
        var refreshed = await provider.Http.RequestRefreshTokenAsync(new Duende.IdentityModel.Client.RefreshTokenRequest
        {
            Address = provider.TokenEndpoint, ClientId = TestClients.Push, ClientSecret = TestClients.PushSecret, RefreshToken = refreshToken,
        });
        Assert.False(refreshed.IsError, refreshed.ErrorDescription);
        Assert.False(await receiver.AnyMoreWithinAsync(TimeSpan.FromSeconds(1)), "the push was delivered once");
    }

    [Fact]
    public async Task Denied_and_expired_requests_push_their_error()
    {
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        await using var provider = await TestProvider.StartAsync(TestClients.Notifying(receiver.Endpoint));

        var denied = await provider.AuthorizeAsync(clientId: TestClients.Push, clientSecret: TestClients.PushSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        await provider.Device.DenyNextAsync();
        var denial = await receiver.NextAsync();
        Assert.Equal(denied.AuthenticationRequestId, denial.AuthReqId);
        Assert.Equal("access_denied", denial.Body.GetProperty("error").GetString());

        var expiring = await provider.AuthorizeAsync(clientId: TestClients.Push, clientSecret: TestClients.PushSecret,
            configure: r => { r.ClientNotificationToken = TestClients.NewNotificationToken(); r.RequestedExpiry = 1; });
        var expiry = await receiver.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(expiring.AuthenticationRequestId, expiry.AuthReqId);
        Assert.Equal("expired_token", expiry.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_device_that_refuses_the_request_pushes_transaction_failed()
    {
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        await using var provider = await TestProvider.StartAsync(TestClients.Notifying(receiver.Endpoint));
        provider.Device.AnswerNext(400);

        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Push, clientSecret: TestClients.PushSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        var failure = await receiver.NextAsync();
        Assert.Equal(authorization.AuthenticationRequestId, failure.AuthReqId);
        Assert.Equal("transaction_failed", failure.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_push_client_polling_the_token_endpoint_is_unauthorized_client()
    {
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        await using var provider = await TestProvider.StartAsync(TestClients.Notifying(receiver.Endpoint));
        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Push, clientSecret: TestClients.PushSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());

        var poll = await provider.RedeemAsync(authorization.AuthenticationRequestId!, TestClients.Push, TestClients.PushSecret);
        Assert.Equal("unauthorized_client", poll.Error);
        Assert.Equal(HttpStatusCode.BadRequest, poll.HttpStatusCode);
    }

    [Fact]
    public async Task A_push_that_never_arrives_revokes_the_tokens_it_carried()
    {
        var port = FreePort.Next();
        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?>(TestClients.Notifying($"http://127.0.0.1:{port}/cb"))
        {
            ["Backchannel:Notifications:MaxAttempts"] = "2",
        });
        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Push, clientSecret: TestClients.PushSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        await provider.Device.ApproveNextAsync();

        // Nobody listens: two attempts fail, the push is given up and its refresh token family revoked; the request failed.
        var store = (Backchannel.Abstractions.IAuthenticationRequestStore)provider.Services.GetService(typeof(Backchannel.Abstractions.IAuthenticationRequestStore))!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        Backchannel.Domain.AuthenticationRequest? request;
        do
        {
            await Task.Delay(200);
            request = await store.FindByAuthReqIdHashAsync(Backchannel.Protocol.SecretHash.Compute(authorization.AuthenticationRequestId!), default);
        }
        while (request!.Status != Backchannel.Domain.AuthenticationRequestStatus.Failed && DateTime.UtcNow < deadline);

        Assert.Equal(Backchannel.Domain.AuthenticationRequestStatus.Failed, request.Status);
        using var database = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={provider.DatabasePath};Mode=ReadOnly");
        database.Open();
        using var command = database.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM refresh_tokens), (SELECT COUNT(*) FROM refresh_tokens WHERE revoked_at IS NULL), " +
            "(SELECT COUNT(*) FROM revoked_access_tokens)";
        using var counts = command.ExecuteReader();
        Assert.True(counts.Read());
        Assert.Equal((1L, 0L, 1L), (counts.GetInt64(0), counts.GetInt64(1), counts.GetInt64(2)));
    }

    private static string LeftHalfSha256(string value) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(value))[..16]);
}
