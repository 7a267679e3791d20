using Backchannel.Abstractions;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Backchannel.Endpoints;

/// <summary>
/// Wraps every protocol endpoint: a failure nobody foresaw is logged (with its stack trace, in the log only) and answered
/// 500 server_error in the protocol's JSON, never with a stack trace (not even in Development), keeping the
/// x-fapi-interaction-id; a store that does not answer is 503 temporarily_unavailable with Retry-After; a client that
/// went away is not an error.
/// </summary>
internal static partial class EndpointGuard
{
    public static RequestDelegate Guard(RequestDelegate endpoint) => async context =>
    {
        try
        {
            await endpoint(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client hung up.
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            await ProtocolHttp.WriteErrorAsync(context, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ProtocolError.InvalidRequest("The request body is too large.") with { StatusCode = StatusCodes.Status413PayloadTooLarge }
                : ProtocolError.InvalidRequest("The request is malformed."));
        }
        catch (StoreUnavailableException ex) when (!context.Response.HasStarted)
        {
            LogStoreUnavailable(Logger(context), context.Request.Path, ex);
            await ProtocolHttp.WriteErrorAsync(context, new ProtocolError(ErrorCodes.TemporarilyUnavailable,
                "The provider's store does not answer; try again shortly.", StatusCodes.Status503ServiceUnavailable) { RetryAfterSeconds = 5 });
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            LogFailed(Logger(context), context.Request.Path, ex);
            var interactionId = context.Response.Headers[FapiInteractionId.HeaderName];
            context.Response.Clear();
            if (interactionId.Count > 0)
            {
                context.Response.Headers[FapiInteractionId.HeaderName] = interactionId;
            }

            await ProtocolHttp.WriteErrorAsync(context, new ProtocolError(ErrorCodes.ServerError,
                "The provider failed to handle the request; the failure is logged.", StatusCodes.Status500InternalServerError));
        }
    };

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Backchannel.Endpoints");

    [LoggerMessage(1, LogLevel.Error, "Handling {Path} failed")]
    private static partial void LogFailed(ILogger logger, PathString path, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "Handling {Path} failed: the store does not answer")]
    private static partial void LogStoreUnavailable(ILogger logger, PathString path, Exception exception);
}
