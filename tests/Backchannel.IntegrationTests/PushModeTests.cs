using System.Net;
using System.Security.Cryptography;
using System.Text;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.IntegrationTests;

/// <summary>
/// Push mode (CIBA 10.3): tokens or errors are delivered to the client's endpoint. One provider and one endpoint for the
/// class, on a clock the tests advance; each test takes the calls of its own requests (by auth_req_id).
/// </summary>
public class PushModeTests(SharedNotifyingProvider shared) : IClassFixture<SharedNotifyingProvider>
{
    [Fact]
    public async Task Approved_request_pushes_tokens_whose_id_token_binds_them_to_the_request()
    {
        var (provider, receiver) = (shared.Provider, shared.Receiver);
        var notificationToken = TestClients.NewNotificationToken();

        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Push, clientSecret: TestClients.PushSecret,
            configure: r => { r.ClientNotificationToken = notificationToken; r.AcrValues = "urn:example:push"; });
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.Null(authorization.Interval);
        await provider.ApproveLastAsync();

        var push = await receiver.ForAsync(authorization.AuthenticationRequestId!);
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

        // Past the lease of the delivered push and any retry: nothing more for this request, and nothing left to send.
        Assert.False(await receiver.AnyMoreForWithinAsync(push.AuthReqId!, TimeSpan.FromSeconds(1), provider.FakeTime, TimeSpan.FromSeconds(75)),
            "the push was delivered once");
        Assert.Empty(await provider.OutboxForAsync(push.AuthReqId!));
    }

    [Fact]
    public async Task Denied_and_expired_requests_push_their_error()
    {
        var (provider, receiver) = (shared.Provider, shared.Receiver);

        var denied = await provider.AuthorizeAsync(clientId: TestClients.Push, clientSecret: TestClients.PushSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        using (var answer = await provider.Device.DenyAsync(await provider.LastNotificationAsync()))
        {
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        }

        var denial = await receiver.ForAsync(denied.AuthenticationRequestId!);
        Assert.Equal(denied.AuthenticationRequestId, denial.AuthReqId);
        Assert.Equal("access_denied", denial.Body.GetProperty("error").GetString());

        var expiring = await provider.AuthorizeAsync(clientId: TestClients.Push, clientSecret: TestClients.PushSecret,
            configure: r => { r.ClientNotificationToken = TestClients.NewNotificationToken(); r.RequestedExpiry = 1; });
        Assert.Equal(1, expiring.ExpiresIn);

        // The clock moves on a second at a time until the expiry is noticed and pushed.
        var expiry = await receiver.ForAsync(expiring.AuthenticationRequestId!, TimeSpan.FromSeconds(5), provider.FakeTime);
        Assert.Equal(expiring.AuthenticationRequestId, expiry.AuthReqId);
        Assert.Equal("expired_token", expiry.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_device_that_refuses_the_request_pushes_transaction_failed()
    {
        var (provider, receiver) = (shared.Provider, shared.Receiver);
        var bindingMessage = "refused " + Guid.NewGuid().ToString("N")[..8];
        provider.Device.AnswerNextFor(bindingMessage, 400);

        var authorization = await provider.AuthorizeAsync(bindingMessage: bindingMessage, clientId: TestClients.Push, clientSecret: TestClients.PushSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        var failure = await receiver.ForAsync(authorization.AuthenticationRequestId!);
        Assert.Equal(authorization.AuthenticationRequestId, failure.AuthReqId);
        Assert.Equal("transaction_failed", failure.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_push_client_polling_the_token_endpoint_is_unauthorized_client()
    {
        var provider = shared.Provider;
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
        // Its own provider: MaxAttempts differs, and the database's token counts below must be this test's alone.
        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?>(TestClients.Notifying($"http://127.0.0.1:{port}/cb"))
        {
            ["Backchannel:Notifications:MaxAttempts"] = "2",
        }, time: new TestClock());
        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Push, clientSecret: TestClients.PushSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        await provider.ApproveLastAsync();

        // Nobody listens: two attempts fail (the retry when the clock reaches it), the push is given up and its refresh
        // token family revoked; the request failed.
        var store = (Backchannel.Abstractions.IAuthenticationRequestStore)provider.Services.GetService(typeof(Backchannel.Abstractions.IAuthenticationRequestStore))!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        Backchannel.Domain.AuthenticationRequest? request;
        while (true)
        {
            request = await store.FindByAuthReqIdHashAsync(Backchannel.Protocol.SecretHash.Compute(authorization.AuthenticationRequestId!), default);
            if (request!.Status == Backchannel.Domain.AuthenticationRequestStatus.Failed || DateTime.UtcNow >= deadline)
            {
                break;
            }

            await provider.FakeTime.StepAsync(TimeSpan.FromSeconds(1));
            await Task.Delay(ClockSteps.StepPause);
        }

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
