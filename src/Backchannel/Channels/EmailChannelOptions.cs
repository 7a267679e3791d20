namespace Backchannel.Channels;

/// <summary>
/// The e-mail channel (Apereo CAS's verification mail), the channel named <c>email</c>: <c>Backchannel:Channels:Email</c>.
/// It exists when <see cref="SmtpHost"/> is set.
/// </summary>
public sealed class EmailChannelOptions
{
    /// <summary>The default subject: the client's name and the binding message.</summary>
    public const string DefaultSubject = "{client_name} asks you to approve: {binding_message}";

    /// <summary>The SMTP server (a host name or address); empty: no e-mail channel.</summary>
    public string? SmtpHost { get; set; }

    /// <summary>Its port; 0: 25 without TLS, 587 with STARTTLS, 465 with TLS on connect.</summary>
    public int SmtpPort { get; set; }

    /// <summary>How the connection is secured.</summary>
    public EmailSecurity Security { get; set; } = EmailSecurity.StartTls;

    /// <summary>The SMTP account's name; empty: no authentication.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender's address (<c>From</c>), e.g. <c>Sign-in &lt;no-reply@example.com&gt;</c>.</summary>
    public string? From { get; set; }

    /// <summary>The subject: <c>{client_name}</c> and <c>{binding_message}</c> are replaced.</summary>
    public string? Subject { get; set; }

    /// <summary>Addresses every mail is copied to.</summary>
    public List<string> Cc { get; set; } = [];

    /// <summary>Addresses every mail is blind-copied to.</summary>
    public List<string> Bcc { get; set; } = [];

    /// <summary>The user attributes that hold the address: <c>email</c>, or a claim's name; each address found gets its own mail. Empty: <c>email</c>.</summary>
    public List<string> AddressAttributes { get; set; } = [];

    /// <summary>How long after the request the mail is sent (scheduled in the outbox).</summary>
    public int DelaySeconds { get; set; }

    /// <summary>Whether the approver must first sign in (the portal's sign-in) as the user the request names.</summary>
    public bool RequireSignIn { get; set; }

    public bool Configured => !string.IsNullOrWhiteSpace(SmtpHost);

    public string EffectiveSubject => string.IsNullOrEmpty(Subject) ? DefaultSubject : Subject;

    public IReadOnlyList<string> EffectiveAddressAttributes => AddressAttributes.Count == 0 ? [EmailAttributes.Email] : AddressAttributes;

    public int EffectivePort => SmtpPort > 0 ? SmtpPort : Security switch
    {
        EmailSecurity.None => 25,
        EmailSecurity.SslOnConnect => 465,
        _ => 587,
    };
}

/// <summary>How the SMTP connection is secured.</summary>
public enum EmailSecurity
{
    /// <summary>No TLS (a relay on the same host or network).</summary>
    None,

    /// <summary>Plain connection upgraded with STARTTLS, which the server must offer.</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS, usually port 465).</summary>
    SslOnConnect,
}

/// <summary>The names <c>Channels:Email:AddressAttributes</c> understands besides the users' claims.</summary>
public static class EmailAttributes
{
    /// <summary>The user's e-mail address (<c>email</c> in <c>Backchannel:Users</c>).</summary>
    public const string Email = "email";
}
