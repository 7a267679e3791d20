using System.Globalization;
using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Decisions;
using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Users;

namespace Backchannel.Admin;

/// <summary>
/// The admin API's users: the built-in directory's store (<see cref="IUserStore"/>). Writes are conditional on the version
/// read (If-Match, or the last read when none is given); passwords and user codes are stored hashed and never shown. A
/// disabled user is unknown to the protocol (<c>unknown_user_id</c> when hinted; refresh tokens and userinfo refused), and
/// disabling cancels its pending requests. Users of <c>Backchannel:Users</c> can be disabled and enabled (that survives a
/// restart), but not otherwise changed: the settings rewrite them at every start.
/// </summary>
public sealed class UserAdministration(
    IUserStore store,
    IUserDirectory directory,
    IAuthenticationRequestStore requests,
    DecisionService decisions,
    ClientValidationSettings settings,
    TimeProvider time)
{
    /// <summary>How many of a disabled user's pending requests are cancelled per batch, and at most how many batches.</summary>
    private const int CancelBatch = 100;
    private const int MaxCancelBatches = 20;
    private const int Attempts = 3;

    public async Task<Page<AdminUserView>> ListAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        var users = await store.ListAsync(after, limit + 1, cancellationToken);
        return AdminPaging.PageOf(users, limit, AdminUserView.Of, user => user.Subject);
    }

    public async Task<ProtocolResult<Tagged<AdminUserView>>> ReadAsync(string subject, CancellationToken cancellationToken) =>
        await store.FindBySubjectAsync(subject, cancellationToken) is { } user ? WithTag(user) : AdminErrors.Missing($"user '{subject}'");

    public async Task<ProtocolResult<Tagged<AdminUserView>>> CreateAsync(AdminUserInput input, CancellationToken cancellationToken)
    {
        if (AdminUserRules.Check(input, creating: true, settings.Channels) is { Count: > 0 } problems)
        {
            return Invalid(problems);
        }

        var user = WithProfile(new UserRecord { Subject = input.Subject!, Source = UserSources.Admin, UpdatedAt = Now() }, input);
        switch (await store.CreateAsync(user, cancellationToken))
        {
            case UserWriteResult.Written:
                Forget();
                return WithTag(user);
            case UserWriteResult.Exists:
                return AdminErrors.Conflicting($"A user with the sub '{user.Subject}' exists.");
            default:
                return IdentifierTaken;
        }
    }

    /// <summary>Replaces the user's profile, and its password or user code where given; its disabled state and source stay.</summary>
    public Task<ProtocolResult<Tagged<AdminUserView>>> UpdateAsync(string subject, AdminUserInput input, string? ifMatch,
        CancellationToken cancellationToken)
    {
        if (input.Subject is not null && input.Subject != subject)
        {
            return Task.FromResult<ProtocolResult<Tagged<AdminUserView>>>(AdminErrors.InvalidRequest("sub in the body must be absent or the sub of the path."));
        }

        if (AdminUserRules.Check(input, creating: false, settings.Channels) is { Count: > 0 } problems)
        {
            return Task.FromResult<ProtocolResult<Tagged<AdminUserView>>>(Invalid(problems));
        }

        return ChangeAsync(subject, ifMatch, current => current.Source == UserSources.Settings
            ? AdminErrors.Conflicting($"The user '{subject}' comes from the settings (Backchannel:Users), which rewrite it at every start; change it there.")
            : WithProfile(current, input), cancellationToken);
    }

    /// <summary>Disables the user (from now on unknown to the protocol) and cancels its pending requests; disabling a disabled user changes nothing.</summary>
    public async Task<ProtocolResult<AdminUserDisabled>> DisableAsync(string subject, string? ifMatch, AdminCaller caller, CancellationToken cancellationToken)
    {
        var changed = await ChangeAsync(subject, ifMatch, current => current.IsDisabled ? current : current with { DisabledAt = Now() },
            cancellationToken);
        if (!changed.Succeeded)
        {
            return changed.Error;
        }

        var cancelled = 0;
        for (var batch = 0; batch < MaxCancelBatches; batch++)
        {
            var pending = await requests.ListPendingForSubjectAsync(subject, time.GetUtcNow(), CancelBatch, cancellationToken);
            foreach (var request in pending)
            {
                if (await decisions.CancelAsync(request.Id, $"user disabled by {caller.ClientId}", cancellationToken) == DecisionOutcome.Decided)
                {
                    cancelled++;
                }
            }

            if (pending.Count < CancelBatch)
            {
                break;
            }
        }

        return new AdminUserDisabled(changed.Value.Value, cancelled);
    }

    public Task<ProtocolResult<Tagged<AdminUserView>>> EnableAsync(string subject, string? ifMatch, CancellationToken cancellationToken) =>
        ChangeAsync(subject, ifMatch, current => current.IsDisabled ? current with { DisabledAt = null } : current, cancellationToken);

    public static string Tag(UserRecord user) =>
        EntityTag.Of(user.Subject, user.Version.ToString(CultureInfo.InvariantCulture), user.UpdatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Reads the user, checks If-Match, applies <paramref name="change"/> and writes it conditionally on the version read
    /// (again, on a fresh read, when another write came between and no If-Match was given). A change that changes nothing
    /// writes nothing.
    /// </summary>
    private async Task<ProtocolResult<Tagged<AdminUserView>>> ChangeAsync(string subject, string? ifMatch,
        Func<UserRecord, ProtocolResult<UserRecord>> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (await store.FindBySubjectAsync(subject, cancellationToken) is not { } current)
            {
                return AdminErrors.Missing($"user '{subject}'");
            }

            if (!EntityTag.Matches(ifMatch, Tag(current)))
            {
                return AdminErrors.ChangedSince("user");
            }

            var changed = change(current);
            if (!changed.Succeeded)
            {
                return changed.Error;
            }

            if (ReferenceEquals(changed.Value, current))
            {
                return WithTag(current);
            }

            var replacement = changed.Value with { UpdatedAt = Later(Now(), current.UpdatedAt), Version = current.Version + 1 };
            switch (await store.ReplaceAsync(replacement, current.Version, cancellationToken))
            {
                case UserWriteResult.Written:
                    Forget();
                    return WithTag(replacement);
                case UserWriteResult.IdentifierTaken:
                    return IdentifierTaken;
                case UserWriteResult.NotFound:
                    return AdminErrors.Missing($"user '{subject}'");
                case UserWriteResult.VersionChanged when ifMatch is not null:
                    return AdminErrors.ChangedSince("user");
            }
        }

        return AdminErrors.Conflicting($"The user '{subject}' kept changing while it was written; try again.");
    }

    private static ProtocolError IdentifierTaken => AdminErrors.Conflicting(
        "Another user has one of this user's identifiers (sub, username, email, phone_number) as one of its own; a login_hint must name one user.");

    private static ProtocolError Invalid(IReadOnlyList<string> problems) => AdminErrors.InvalidRequest("The user is not valid: " + string.Join("; ", problems) + ".");

    /// <summary><paramref name="user"/> with the profile of <paramref name="input"/>, and its password or user code where given.</summary>
    private static UserRecord WithProfile(UserRecord user, AdminUserInput input) => user with
    {
        Username = AdminUserRules.Value(input.Username),
        Email = AdminUserRules.Value(input.Email),
        PhoneNumber = AdminUserRules.Value(input.PhoneNumber),
        Name = AdminUserRules.Value(input.Name),
        Channel = AdminUserRules.Value(input.Channel),
        Claims = input.Claims ?? [],
        PasswordHash = Secret(input.Password, user.PasswordHash),
        UserCodeHash = Secret(input.UserCode, user.UserCodeHash),
    };

    /// <summary>A secret to store: absent keeps <paramref name="stored"/>, empty removes it, anything else is hashed.</summary>
    private static string? Secret(string? given, string? stored) => given switch
    {
        null => stored,
        "" => null,
        _ => UserSecretHasher.Hash(given),
    };

    /// <summary>The time as the store keeps it: to the millisecond.</summary>
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());

    private static DateTimeOffset Later(DateTimeOffset now, DateTimeOffset previous) => now > previous ? now : previous.AddMilliseconds(1);

    private static Tagged<AdminUserView> WithTag(UserRecord user) => new(AdminUserView.Of(user), Tag(user));

    /// <summary>This node's directory forgets what it cached (other nodes within its cache lifetime).</summary>
    private void Forget()
    {
        if (directory is StoreUserDirectory builtIn)
        {
            builtIn.Forget();
        }
    }
}
