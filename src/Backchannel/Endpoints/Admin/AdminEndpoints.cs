using Backchannel.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Backchannel.Endpoints.Admin;

/// <summary>The admin API's routes under <c>/admin</c> (docs/admin-api.md), each behind the admin authorization.</summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, Func<RequestDelegate, RequestDelegate> guarded)
    {
        var admin = routes.MapGroup(EndpointPaths.Admin);
        RequestDelegate Handler(Func<HttpContext, Backchannel.Admin.AdminCaller, Task> endpoint) => guarded(AdminHttp.Authorized(endpoint));

        admin.MapGet("/clients", Handler(ListClientsEndpoint.HandleAsync));
        admin.MapPost("/clients", Handler(CreateClientEndpoint.HandleAsync));
        admin.MapGet("/clients/{client_id}", Handler(ReadClientEndpoint.HandleAsync));
        admin.MapPut("/clients/{client_id}", Handler(UpdateClientEndpoint.HandleAsync));
        admin.MapDelete("/clients/{client_id}", Handler(DeleteClientEndpoint.HandleAsync));

        admin.MapGet("/users", Handler(ListUsersEndpoint.HandleAsync));
        admin.MapPost("/users", Handler(CreateUserEndpoint.HandleAsync));
        admin.MapGet("/users/{sub}", Handler(ReadUserEndpoint.HandleAsync));
        admin.MapPut("/users/{sub}", Handler(UpdateUserEndpoint.HandleAsync));
        admin.MapPost("/users/{sub}/disable", Handler(DisableUserEndpoint.HandleAsync));
        admin.MapPost("/users/{sub}/enable", Handler(EnableUserEndpoint.HandleAsync));
        admin.MapGet("/users/{sub}/devices", Handler(ListUserDevicesEndpoint.HandleAsync));
        admin.MapDelete("/users/{sub}/devices/{device_id}", Handler(RemoveUserDeviceEndpoint.HandleAsync));

        admin.MapGet("/requests", Handler(ListRequestsEndpoint.HandleAsync));
        admin.MapGet("/requests/{id}", Handler(ReadRequestEndpoint.HandleAsync));
        admin.MapPost("/requests/{id}/cancel", Handler(CancelRequestEndpoint.HandleAsync));
        admin.MapGet("/requests/{id}/events", Handler(RequestEventsEndpoint.HandleAsync));

        admin.MapGet("/keys", Handler(ListKeysEndpoint.HandleAsync));
        admin.MapPost("/keys/rotate", Handler(RotateKeysEndpoint.HandleAsync));
    }
}
