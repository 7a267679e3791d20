using System.Text.RegularExpressions;

namespace Backchannel.Protocol;

/// <summary>The provider's and the client's settings that a backchannel authentication request is checked against.</summary>
public sealed record AuthenticationRequestPolicy
{
    public required string DeliveryMode { get; init; }

    /// <summary>The client registered backchannel_user_code_parameter and the provider supports it.</summary>
    public bool UserCodeRequired { get; init; }

    /// <summary>The scopes the client may ask for; null allows any the provider offers.</summary>
    public IReadOnlySet<string>? AllowedScopes { get; init; }

    /// <summary>The scopes the provider offers (<c>Ciba:Scopes</c>); null: not checked.</summary>
    public IReadOnlySet<string>? SupportedScopes { get; init; }

    public int DefaultExpirySeconds { get; init; } = 120;

    public int MaxExpirySeconds { get; init; } = 1800;

    public int BindingMessageMaxLength { get; init; } = 256;

    public Regex? BindingMessagePattern { get; init; }

    // The client's own policy (its metadata), on top of the provider's.

    /// <summary>The hints the client may use; null: any.</summary>
    public IReadOnlySet<UserHintKind>? AllowedHintKinds { get; init; }

    /// <summary>The client must send a binding_message.</summary>
    public bool BindingMessageRequired { get; init; }

    /// <summary>A pattern the client's binding_message must match too (backchannel_binding_message_pattern).</summary>
    public Regex? ClientBindingMessagePattern { get; init; }
}
