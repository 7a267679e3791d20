using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Decisions;
using Backchannel.Domain;

namespace Backchannel.Channels.Portal;

/// <summary>
/// What a signed-in user sees and decides in the portal: their pending, unexpired requests routed to the portal channel
/// (requests routed to another channel are answered there, where the channel verifies the user its own way), decided
/// through the decision service as channel <c>portal</c> with the session as evidence.
/// </summary>
public sealed class PortalRequests(
    IAuthenticationRequestStore requests,
    ClientCatalog clients,
    DecisionService decisions,
    TimeProvider time)
{
    /// <summary>The most requests the portal shows at once.</summary>
    public const int MaxShown = 50;

    public async Task<IReadOnlyList<PortalRequestView>> PendingAsync(string subject, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var pending = await requests.ListPendingForSubjectAsync(subject, now, MaxShown * 4, cancellationToken);
        var views = new List<PortalRequestView>();
        foreach (var request in pending.Where(r => r.UsesChannel(ChannelType.Portal)).Take(MaxShown))
        {
            views.Add(await ViewAsync(request, now, cancellationToken));
        }

        return views;
    }

    /// <summary>The view of one request: what the portal and the e-mail page show.</summary>
    public async Task<PortalRequestView> ViewAsync(AuthenticationRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        PortalRequestView.From(request, (await clients.FindAsync(request.ClientId, cancellationToken))?.ClientName, now);

    /// <summary>
    /// The user's answer to one of their portal requests; <see cref="DecisionOutcome.NotFound"/> for a request that is not
    /// theirs or not the portal's (nothing tells them apart).
    /// </summary>
    public async Task<DecisionOutcome> DecideAsync(string subject, string requestId, bool approved, CancellationToken cancellationToken)
    {
        var request = await requests.FindAsync(requestId, cancellationToken);
        if (request is null || request.Subject != subject || !request.UsesChannel(ChannelType.Portal))
        {
            return DecisionOutcome.NotFound;
        }

        return await decisions.DecideAsync(new Decision(request.Id, approved, Acr: null, Amr: ["pwd"], PortalChannel.Evidence)
        {
            Channel = ChannelType.Portal,
            KnownDeliveryMode = request.DeliveryMode,
        }, cancellationToken);
    }
}
