using Backchannel.Abstractions;
using Backchannel.Channels.Portal;
using Backchannel.Decisions;
using Backchannel.Domain;
using Backchannel.Events;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels.Email;

/// <summary>What the e-mail page shows for a link, and the request it names when it waits for an answer.</summary>
public sealed record EmailConfirmationResult(EmailPageState State, PortalRequestView? Request = null, bool? Approved = null);

/// <summary>
/// The e-mail channel's return path. Opening a link (GET) only shows the request (and reports it viewed); the answer is posted from the page
/// (with an anti-forgery token). A link decides once: its jti is recorded in the store before the decision, so a second
/// use is refused on every node. With <c>Channels:Email:RequireSignIn</c> the approver must be signed in to the portal as
/// the request's user. Decisions go through the decision service as channel <c>email</c>.
/// </summary>
public sealed class EmailConfirmation(
    EmailLinks links,
    IAuthenticationRequestStore requests,
    PortalRequests views,
    DecisionService decisions,
    IReplayCache usedLinks,
    RequestEvents events,
    IOptions<ChannelOptions> options,
    TimeProvider time)
{
    /// <summary>What the page shows for <paramref name="token"/> to the user signed in as <paramref name="signedInSubject"/> (if any).</summary>
    public async Task<EmailConfirmationResult> ReadAsync(string token, string? signedInSubject, CancellationToken cancellationToken)
    {
        var (state, request, _) = await CheckAsync(token, signedInSubject, cancellationToken);
        if (state != EmailPageState.Pending)
        {
            return new EmailConfirmationResult(state);
        }

        events.Publish(RequestEventKind.Viewed, request!, EmailLinks.Evidence);
        return new EmailConfirmationResult(state, await views.ViewAsync(request!, time.GetUtcNow(), cancellationToken));
    }

    /// <summary>Records the answer given through the link <paramref name="token"/>, once.</summary>
    public async Task<EmailConfirmationResult> DecideAsync(string token, bool approved, string? signedInSubject, CancellationToken cancellationToken)
    {
        var (state, request, link) = await CheckAsync(token, signedInSubject, cancellationToken);
        if (state is EmailPageState.Invalid or EmailPageState.Expired or EmailPageState.SignInRequired or EmailPageState.WrongUser)
        {
            return new EmailConfirmationResult(state);
        }

        // The link is spent now, whatever becomes of the answer: a second use is refused on every node.
        if (!await usedLinks.TryAddAsync(EmailLinks.UsedKey(link.JwtId!), link.ExpiresAt ?? request!.ExpiresAt, cancellationToken))
        {
            return new EmailConfirmationResult(EmailPageState.Used);
        }

        if (state != EmailPageState.Pending)
        {
            return new EmailConfirmationResult(state);
        }

        var outcome = await decisions.DecideAsync(new Decision(request!.Id, approved, Acr: null,
            Amr: options.Value.Email.RequireSignIn ? ["pwd"] : null, EmailLinks.Evidence)
        {
            Channel = ChannelType.Email,
            KnownDeliveryMode = request.DeliveryMode,
        }, cancellationToken);
        return outcome switch
        {
            DecisionOutcome.Decided => new EmailConfirmationResult(EmailPageState.Decided, Approved: approved),
            DecisionOutcome.AlreadyDecided => new EmailConfirmationResult(EmailPageState.AlreadyDecided),
            DecisionOutcome.Expired => new EmailConfirmationResult(EmailPageState.Expired),
            _ => new EmailConfirmationResult(EmailPageState.Invalid),
        };
    }

    private async Task<(EmailPageState State, AuthenticationRequest? Request, TransactionToken Link)> CheckAsync(string token, string? signedInSubject,
        CancellationToken cancellationToken)
    {
        var link = await links.ValidateAsync(token, cancellationToken);
        if (link.TransactionId is not { } transactionId || link.JwtId is null)
        {
            return (EmailPageState.Invalid, null, link);
        }

        if (link.Expired)
        {
            return (EmailPageState.Expired, null, link);
        }

        var request = await requests.FindAsync(transactionId, cancellationToken);
        if (request is null || !request.UsesChannel(ChannelType.Email))
        {
            return (EmailPageState.Invalid, null, link);
        }

        if (options.Value.Email.RequireSignIn && signedInSubject != request.Subject)
        {
            return (signedInSubject is null ? EmailPageState.SignInRequired : EmailPageState.WrongUser, request, link);
        }

        if (request.IsExpired(time.GetUtcNow()))
        {
            return (EmailPageState.Expired, request, link);
        }

        return (request.Status == AuthenticationRequestStatus.Pending ? EmailPageState.Pending : EmailPageState.AlreadyDecided, request, link);
    }
}
