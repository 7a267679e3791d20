using System.Text.Encodings.Web;
using System.Text.Json;

namespace Backchannel.Protocol;

/// <summary>How JWT headers and payloads are written: compact, and without escaping '+' or non-ASCII text.</summary>
public static class JwtJson
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
