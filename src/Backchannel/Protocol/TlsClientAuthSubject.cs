using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Backchannel.Protocol;

/// <summary>Which part of a tls_client_auth certificate names the client (RFC 8705 2.1.2).</summary>
public enum TlsClientAuthSubjectKind
{
    SubjectDn,
    SanDns,
    SanUri,
    SanIp,
    SanEmail,
}

/// <summary>
/// How a tls_client_auth client is named in its certificate (RFC 8705 2.1.2): its subject distinguished name, or one
/// subject alternative name of a given type. Pure: matching reads only the certificate's own fields.
/// </summary>
public sealed record TlsClientAuthSubject
{
    private readonly X500DistinguishedName? _distinguishedName;
    private readonly IPAddress? _address;

    private TlsClientAuthSubject(TlsClientAuthSubjectKind kind, string value, X500DistinguishedName? distinguishedName, IPAddress? address)
    {
        Kind = kind;
        Value = value;
        _distinguishedName = distinguishedName;
        _address = address;
    }

    public TlsClientAuthSubjectKind Kind { get; }

    /// <summary>The registered value, as the client registered it.</summary>
    public string Value { get; }

    /// <summary>The client metadata member that carries the value.</summary>
    public string MetadataName => MemberName(Kind);

    public static string MemberName(TlsClientAuthSubjectKind kind) => kind switch
    {
        TlsClientAuthSubjectKind.SubjectDn => "tls_client_auth_subject_dn",
        TlsClientAuthSubjectKind.SanDns => "tls_client_auth_san_dns",
        TlsClientAuthSubjectKind.SanUri => "tls_client_auth_san_uri",
        TlsClientAuthSubjectKind.SanIp => "tls_client_auth_san_ip",
        _ => "tls_client_auth_san_email",
    };

    /// <summary>The longest value accepted.</summary>
    public const int MaxLength = 1024;

    /// <summary>The subject, or why the registered value is not one (naming the member).</summary>
    public static ProtocolResult<TlsClientAuthSubject> Create(TlsClientAuthSubjectKind kind, string value)
    {
        var member = MemberName(kind);
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLength)
        {
            return ProtocolError.InvalidRequest($"{member} must have 1 to {MaxLength} characters");
        }

        switch (kind)
        {
            case TlsClientAuthSubjectKind.SubjectDn:
                try
                {
                    var name = new X500DistinguishedName(value);
                    if (!name.EnumerateRelativeDistinguishedNames().Any())
                    {
                        return ProtocolError.InvalidRequest($"{member} has no attribute (e.g. CN=client,O=Bank,C=GB)");
                    }

                    return new TlsClientAuthSubject(kind, value, name, null);
                }
                catch (CryptographicException)
                {
                    return ProtocolError.InvalidRequest($"{member} is not a distinguished name (RFC 4514, e.g. CN=client,O=Bank,C=GB)");
                }

            case TlsClientAuthSubjectKind.SanIp:
                return StrictAddress(value) is { } address
                    ? new TlsClientAuthSubject(kind, value, null, address)
                    : ProtocolError.InvalidRequest($"{member} is not an IPv4 or IPv6 address");

            case TlsClientAuthSubjectKind.SanUri:
                return Uri.TryCreate(value, UriKind.Absolute, out _) && value.Contains(':', StringComparison.Ordinal)
                    ? new TlsClientAuthSubject(kind, value, null, null)
                    : ProtocolError.InvalidRequest($"{member} is not an absolute URI");

            case TlsClientAuthSubjectKind.SanEmail:
                return value.IndexOf('@', StringComparison.Ordinal) is > 0 && !value.EndsWith('@') && !value.Any(char.IsWhiteSpace)
                    ? new TlsClientAuthSubject(kind, value, null, null)
                    : ProtocolError.InvalidRequest($"{member} is not an e-mail address");

            default:
                return Uri.CheckHostName(value.TrimStart('*', '.')) == UriHostNameType.Dns
                    ? new TlsClientAuthSubject(kind, value, null, null)
                    : ProtocolError.InvalidRequest($"{member} is not a DNS name");
        }
    }

    /// <summary>
    /// Whether <paramref name="certificate"/> names this subject: the subject DN equal attribute by attribute (types
    /// equal, values compared ignoring case and runs of spaces), or a SAN of the kind equal to the value (DNS names and
    /// e-mail addresses ignoring case, URIs exactly, IP addresses as addresses).
    /// </summary>
    public bool Matches(X509Certificate2 certificate)
    {
        if (Kind == TlsClientAuthSubjectKind.SubjectDn)
        {
            return SameName(_distinguishedName!, certificate.SubjectName);
        }

        foreach (var (kind, name) in CertificateNames.AlternativeNames(certificate))
        {
            if (kind != Kind)
            {
                continue;
            }

            var matches = Kind switch
            {
                TlsClientAuthSubjectKind.SanIp => IPAddress.TryParse(name, out var address) && address.Equals(_address),
                TlsClientAuthSubjectKind.SanUri => string.Equals(name, Value, StringComparison.Ordinal),
                _ => string.Equals(name, Value, StringComparison.OrdinalIgnoreCase),
            };
            if (matches)
            {
                return true;
            }
        }

        return false;
    }

    private static bool SameName(X500DistinguishedName expected, X500DistinguishedName actual)
    {
        var left = expected.EnumerateRelativeDistinguishedNames().ToList();
        var right = actual.EnumerateRelativeDistinguishedNames().ToList();
        if (left.Count != right.Count)
        {
            return false;
        }

        for (var i = 0; i < left.Count; i++)
        {
            if (left[i].HasMultipleElements || right[i].HasMultipleElements)
            {
                if (!left[i].RawData.Span.SequenceEqual(right[i].RawData.Span))
                {
                    return false;
                }

                continue;
            }

            if (left[i].GetSingleElementType().Value != right[i].GetSingleElementType().Value
                || !string.Equals(Normalize(left[i].GetSingleElementValue()), Normalize(right[i].GetSingleElementValue()), StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An address in full notation only: four dotted numbers, or IPv6 text (IPAddress.Parse also takes "10.1" for 10.0.0.1).</summary>
    public static IPAddress? StrictAddress(string value) =>
        IPAddress.TryParse(value, out var address)
        && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? value.Count(c => c == '.') == 3 : value.Contains(':', StringComparison.Ordinal))
            ? address
            : null;

    private static string Normalize(string? value) => string.Join(' ', (value ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
