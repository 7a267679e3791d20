using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>
/// GET /admin/requests?client_id=&amp;subject=&amp;status=pending|all: pending and recent requests, newest first, a page at a
/// time (a page may hold fewer than limit while next says where to go on: each page examines a bounded number of requests).
/// </summary>
internal static class ListRequestsEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var paging = AdminHttp.Paging(context);
        var clientId = AdminHttp.Query(context, "client_id");
        var subject = AdminHttp.Query(context, "subject");
        var status = AdminHttp.Query(context, "status");
        if ((paging.Error ?? clientId.Error ?? subject.Error ?? status.Error) is { } invalid)
        {
            await ProtocolHttp.WriteErrorAsync(context, invalid);
            return;
        }

        if (status.Value is not (null or "all" or "pending"))
        {
            await ProtocolHttp.WriteErrorAsync(context, ProtocolError.InvalidRequest("status must be pending or all."));
            return;
        }

        var page = await AdminHttp.Service<RequestAdministration>(context).ListAsync(clientId.Value, subject.Value, status.Value == "pending",
            paging.Value.After, paging.Value.Limit, context.RequestAborted);
        await AdminHttp.WritePageAsync(context, page, AdminJsonContext.Default.AdminPageAdminRequestView);
    }
}
