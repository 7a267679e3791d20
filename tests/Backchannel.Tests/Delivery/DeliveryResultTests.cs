using System.Net;
using System.Net.Http.Headers;
using Backchannel.Abstractions;
using Backchannel.Delivery;

namespace Backchannel.Tests;

public class DeliveryResultTests
{
    private static DeliveryResult From(int status, RetryConditionHeaderValue? retryAfter = null)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        response.Headers.RetryAfter = retryAfter;
        return DeliveryResult.FromResponse(response);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(202)]
    [InlineData(204)]
    public void Success_codes_are_delivered(int status)
    {
        Assert.Equal(DeliveryResult.Delivered, From(status));
        Assert.Equal(DeliveryStatus.Delivered, From(status).Status);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public void Redirects_are_rejected_and_not_followed(int status)
    {
        var result = From(status);

        Assert.Equal(DeliveryStatus.Rejected, result.Status);
        Assert.Contains($"HTTP {status}", result.Detail, StringComparison.Ordinal);
        Assert.Contains("redirects", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(410)]
    public void Client_errors_are_rejected(int status)
    {
        var result = From(status);

        Assert.Equal(DeliveryStatus.Rejected, result.Status);
        Assert.Equal($"HTTP {status}", result.Detail);
        Assert.Null(result.RetryAfter);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public void Transient_failures_are_retried(int status)
    {
        var result = From(status);

        Assert.Equal(DeliveryStatus.RetryLater, result.Status);
        Assert.Equal($"HTTP {status}", result.Detail);
        Assert.Null(result.RetryAfter);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void Retry_after_delta_is_read(int status)
    {
        var result = From(status, new RetryConditionHeaderValue(TimeSpan.FromSeconds(120)));

        Assert.Equal(DeliveryStatus.RetryLater, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(120), result.RetryAfter);
    }

    [Fact]
    public void Timeouts_and_connection_errors_are_retried()
    {
        Assert.Equal(new DeliveryResult(DeliveryStatus.RetryLater, "timeout"), DeliveryFailures.FromException(new TaskCanceledException()));
        var failure = DeliveryFailures.FromException(new HttpRequestException("Connection refused"));
        Assert.Equal(DeliveryStatus.RetryLater, failure.Status);
        Assert.Equal("Connection refused", failure.Detail);
    }
}
