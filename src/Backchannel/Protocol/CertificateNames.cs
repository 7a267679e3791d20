using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Backchannel.Protocol;

/// <summary>The subject alternative names of a certificate (RFC 5280 4.2.1.6) of the kinds RFC 8705 uses.</summary>
public static class CertificateNames
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";

    public static IReadOnlyList<(TlsClientAuthSubjectKind Kind, string Name)> AlternativeNames(X509Certificate2 certificate)
    {
        var names = new List<(TlsClientAuthSubjectKind, string)>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAlternativeNameOid)
            {
                continue;
            }

            try
            {
                var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
                var sequence = reader.ReadSequence();
                reader.ThrowIfNotEmpty();
                while (sequence.HasData)
                {
                    var tag = sequence.PeekTag();
                    if (tag.TagClass != TagClass.ContextSpecific)
                    {
                        sequence.ReadEncodedValue();
                        continue;
                    }

                    switch (tag.TagValue)
                    {
                        case 1:
                            names.Add((TlsClientAuthSubjectKind.SanEmail, sequence.ReadCharacterString(UniversalTagNumber.IA5String, tag)));
                            break;
                        case 2:
                            names.Add((TlsClientAuthSubjectKind.SanDns, sequence.ReadCharacterString(UniversalTagNumber.IA5String, tag)));
                            break;
                        case 6:
                            names.Add((TlsClientAuthSubjectKind.SanUri, sequence.ReadCharacterString(UniversalTagNumber.IA5String, tag)));
                            break;
                        case 7:
                            var bytes = sequence.ReadOctetString(tag);
                            if (bytes.Length is 4 or 16)
                            {
                                names.Add((TlsClientAuthSubjectKind.SanIp, new IPAddress(bytes).ToString()));
                            }

                            break;
                        default:
                            sequence.ReadEncodedValue();
                            break;
                    }
                }
            }
            catch (AsnContentException)
            {
                // A malformed extension names nobody.
            }
        }

        return names;
    }
}
