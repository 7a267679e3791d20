using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Backchannel.Keys;

/// <summary>
/// Writes compact JWS (RFC 7515) for the provider's own tokens. The header is built once per key and type, the
/// payload is written by the caller with <see cref="System.Text.Json.Utf8JsonWriter"/>, and the only expensive step
/// left on the hot path is the signature itself. Incoming JWTs are validated with Microsoft.IdentityModel.
/// </summary>
public static class JwsWriter
{
    public static string Sign(SigningKey key, string type, ReadOnlySpan<byte> payloadJson)
    {
        var header = key.EncodedHeader(type);
        var payloadLength = Base64Url.GetEncodedLength(payloadJson.Length);
        var signatureSize = key.SignatureSize;
        var inputLength = header.Length + 1 + payloadLength;
        var total = inputLength + 1 + Base64Url.GetEncodedLength(signatureSize);

        var buffer = ArrayPool<byte>.Shared.Rent(total + signatureSize);
        try
        {
            var span = buffer.AsSpan();
            header.CopyTo(span);
            span[header.Length] = (byte)'.';
            Base64Url.EncodeToUtf8(payloadJson, span.Slice(header.Length + 1, payloadLength));

            var signature = span.Slice(total, signatureSize);
            var written = key.Sign(span[..inputLength], signature);
            span[inputLength] = (byte)'.';
            var signatureLength = Base64Url.EncodeToUtf8(signature[..written], span[(inputLength + 1)..total]);
            return Encoding.ASCII.GetString(span[..(inputLength + 1 + signatureLength)]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
