using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>GET /admin/requests/{id}/events: the request's audit trail, in the order it happened, a page at a time.</summary>
internal static class RequestEventsEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var paging = AdminHttp.Paging(context);
        if (!paging.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, paging.Error);
            return;
        }

        var result = await AdminHttp.Service<RequestAdministration>(context)
            .EventsAsync(AdminHttp.Route(context, "id"), paging.Value.After, paging.Value.Limit, context.RequestAborted);
        if (!result.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, result.Error);
            return;
        }

        await AdminHttp.WritePageAsync(context, result.Value, AdminJsonContext.Default.AdminPageAdminRequestEventView);
    }
}
