using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tests;

public class CibaGrantRulesTests
{
    private static readonly DateTimeOffset Now = new(2030, 5, 17, 12, 0, 0, TimeSpan.Zero);

    private static AuthenticationRequest Request(AuthenticationRequestStatus status, DateTimeOffset? expiresAt = null) => new()
    {
        Id = "txn-1",
        AuthReqIdHash = SecretHash.Compute("auth-req-id"),
        ClientId = "client-a",
        Subject = "alice",
        Scope = "openid",
        DeliveryMode = DeliveryModes.Poll,
        Channel = "log",
        Status = status,
        CreatedAt = Now.AddMinutes(-1),
        ExpiresAt = expiresAt ?? Now.AddMinutes(1),
        IntervalSeconds = 5,
    };

    private static ProtocolError Error(CibaGrantDecision decision)
    {
        Assert.Equal(CibaGrantOutcome.Error, decision.Outcome);
        Assert.NotNull(decision.Error);
        return decision.Error;
    }

    [Fact]
    public void Unknown_request_is_invalid_grant()
    {
        var error = Error(CibaGrantRules.Decide(null, "client-a", Now));

        Assert.Equal(ErrorCodes.InvalidGrant, error.Error);
        Assert.Equal(400, error.StatusCode);
    }

    [Theory]
    [InlineData("client-b")]
    [InlineData("CLIENT-A")]
    [InlineData("client-a ")]
    public void Another_clients_request_is_invalid_grant(string clientId)
    {
        var error = Error(CibaGrantRules.Decide(Request(AuthenticationRequestStatus.Approved), clientId, Now));

        Assert.Equal(ErrorCodes.InvalidGrant, error.Error);
    }

    [Fact]
    public void Another_clients_request_is_indistinguishable_from_an_unknown_one()
    {
        var unknown = Error(CibaGrantRules.Decide(null, "client-b", Now));
        var foreign = Error(CibaGrantRules.Decide(Request(AuthenticationRequestStatus.Pending), "client-b", Now));

        Assert.Equal(unknown, foreign);
    }

    [Fact]
    public void Redeemed_request_is_invalid_grant()
    {
        var error = Error(CibaGrantRules.Decide(Request(AuthenticationRequestStatus.Redeemed), "client-a", Now));

        Assert.Equal(ErrorCodes.InvalidGrant, error.Error);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void Denied_request_is_access_denied_with_http_400()
    {
        var error = Error(CibaGrantRules.Decide(Request(AuthenticationRequestStatus.Denied), "client-a", Now));

        Assert.Equal(ErrorCodes.AccessDenied, error.Error);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void Failed_request_is_access_denied_with_http_400()
    {
        var error = Error(CibaGrantRules.Decide(Request(AuthenticationRequestStatus.Failed), "client-a", Now));

        Assert.Equal(ErrorCodes.AccessDenied, error.Error);
        Assert.Equal(400, error.StatusCode);
    }

    [Theory]
    [InlineData(AuthenticationRequestStatus.Pending)]
    [InlineData(AuthenticationRequestStatus.Approved)]
    public void Expired_request_is_expired_token(AuthenticationRequestStatus status)
    {
        var error = Error(CibaGrantRules.Decide(Request(status, expiresAt: Now.AddSeconds(-1)), "client-a", Now));

        Assert.Equal(ErrorCodes.ExpiredToken, error.Error);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void Request_expires_at_its_expiry_instant()
    {
        var error = Error(CibaGrantRules.Decide(Request(AuthenticationRequestStatus.Approved, expiresAt: Now), "client-a", Now));

        Assert.Equal(ErrorCodes.ExpiredToken, error.Error);
    }

    [Fact]
    public void Approved_unexpired_request_is_issued()
    {
        var decision = CibaGrantRules.Decide(Request(AuthenticationRequestStatus.Approved), "client-a", Now);

        Assert.Equal(CibaGrantDecision.Issue, decision);
        Assert.Null(decision.Error);
    }

    [Fact]
    public void Pending_unexpired_request_is_polled()
    {
        var decision = CibaGrantRules.Decide(Request(AuthenticationRequestStatus.Pending), "client-a", Now);

        Assert.Equal(CibaGrantDecision.Poll, decision);
    }

    [Fact]
    public void First_poll_is_not_slow_down()
    {
        Assert.Equal(new PollResult(false, 5), CibaGrantRules.Poll(null, 5, Now));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4.999)]
    public void Poll_sooner_than_the_interval_is_slow_down_with_the_interval_grown_by_five(double secondsSinceLast)
    {
        var result = CibaGrantRules.Poll(Now.AddSeconds(-secondsSinceLast), 5, Now);

        Assert.True(result.SlowDown);
        Assert.Equal(10, result.IntervalSeconds);
    }

    [Fact]
    public void Slow_down_grows_an_already_grown_interval_again()
    {
        Assert.Equal(new PollResult(true, 15), CibaGrantRules.Poll(Now.AddSeconds(-3), 10, Now));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(600)]
    public void Poll_after_the_interval_is_fine_and_keeps_the_interval(double secondsSinceLast)
    {
        Assert.Equal(new PollResult(false, 5), CibaGrantRules.Poll(Now.AddSeconds(-secondsSinceLast), 5, Now));
    }

    [Fact]
    public void Slow_down_error_names_the_new_interval()
    {
        var error = CibaGrantRules.SlowDown(15);

        Assert.Equal(ErrorCodes.SlowDown, error.Error);
        Assert.Contains("15", error.Description, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.AuthorizationPending, CibaGrantRules.AuthorizationPending.Error);
    }

    [Fact]
    public void Effective_acr_is_the_one_the_device_reported()
    {
        var request = Request(AuthenticationRequestStatus.Approved) with { Acr = "urn:acr:device", AcrValues = "urn:acr:a urn:acr:b" };

        Assert.Equal("urn:acr:device", CibaGrantRules.EffectiveAcr(request));
    }

    [Fact]
    public void Effective_acr_falls_back_to_the_first_requested_value()
    {
        var request = Request(AuthenticationRequestStatus.Approved) with { AcrValues = "urn:acr:a urn:acr:b" };

        Assert.Equal("urn:acr:a", CibaGrantRules.EffectiveAcr(request));
    }

    [Fact]
    public void Effective_acr_is_null_when_nothing_was_requested_or_reported()
    {
        Assert.Null(CibaGrantRules.EffectiveAcr(Request(AuthenticationRequestStatus.Approved)));
    }
}
