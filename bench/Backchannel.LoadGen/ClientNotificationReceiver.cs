using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Backchannel.LoadGen;

/// <summary>
/// The client's notification endpoint in ping and push runs (<c>POST /client-notify</c> on the device listener): checks
/// the client_notification_token, answers 204 and hands the ping or push to the flow waiting for its auth_req_id.
/// </summary>
public sealed class ClientNotificationReceiver(LoadGenOptions options, MetricsHub hub)
{
    private const long MaxBody = 64 * 1024;

    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonFields.ClientNotification>> _waiters = new(StringComparer.Ordinal);
    private readonly string _expectedAuthorization = "Bearer " + options.ClientNotificationToken;

    /// <summary>Registers interest in the ping or push for <paramref name="authReqId"/>; call before the device calls back.</summary>
    public Task<JsonFields.ClientNotification> Expect(string authReqId)
    {
        var tcs = new TaskCompletionSource<JsonFields.ClientNotification>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters[authReqId] = tcs;
        return tcs.Task;
    }

    public void Forget(string authReqId) => _waiters.TryRemove(authReqId, out _);

    public async Task HandleAsync(HttpContext context, long arrivedAt)
    {
        var metrics = hub.Current;
        if (!string.Equals(context.Request.Headers.Authorization.ToString(), _expectedAuthorization, StringComparison.Ordinal))
        {
            metrics.Error("client notification: wrong or missing client_notification_token (answered 401)");
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var fields = await RequestBody.ReadAsync(context, MaxBody, JsonFields.ParseAnswer).ConfigureAwait(false);
        if (fields is not { Malformed: false, AuthReqId.Length: > 0 })
        {
            metrics.Error("client notification: body without auth_req_id (answered 400)");
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        if (_waiters.TryRemove(fields.AuthReqId, out var waiter))
        {
            waiter.TrySetResult(new JsonFields.ClientNotification(fields, arrivedAt));
        }
        else
        {
            metrics.Error("client notification: for no flow waiting (a repeat, or after the flow gave up)");
        }
    }
}
