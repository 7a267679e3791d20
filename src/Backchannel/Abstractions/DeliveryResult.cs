namespace Backchannel.Abstractions;

/// <summary>What became of one attempt to deliver a message (a device notification, a ping, a push).</summary>
public enum DeliveryStatus
{
    Delivered,

    /// <summary>A transient failure (connection error, timeout, 408, 429, 5xx): try again later.</summary>
    RetryLater,

    /// <summary>The receiver refused (another 4xx) or cannot be called: do not try again.</summary>
    Rejected,
}

/// <summary>The outcome of one delivery attempt.</summary>
public readonly record struct DeliveryResult(DeliveryStatus Status, string? Detail = null, TimeSpan? RetryAfter = null)
{
    public static DeliveryResult Delivered { get; } = new(DeliveryStatus.Delivered);

    /// <summary>Classifies an HTTP answer: 2xx delivered; 408, 429 and 5xx transient; 3xx (never followed) and other 4xx refused.</summary>
    public static DeliveryResult FromResponse(HttpResponseMessage response)
    {
        var code = (int)response.StatusCode;
        if (code is >= 200 and < 300)
        {
            return Delivered;
        }

        var detail = $"HTTP {code}";
        if (code is 408 or 429 or >= 500)
        {
            return new DeliveryResult(DeliveryStatus.RetryLater, detail, response.Headers.RetryAfter?.Delta);
        }

        return new DeliveryResult(DeliveryStatus.Rejected, code is >= 300 and < 400 ? detail + " (redirects are not followed)" : detail);
    }
}
