using Backchannel.Protocol;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Clients;

/// <summary>Turns a JWK given as a map of its members (as configuration carries it) into a <see cref="JsonWebKey"/>.</summary>
public static class JwkMembers
{
    public static JsonWebKey ToJsonWebKey(IReadOnlyDictionary<string, string> members)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JwtJson.WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in members)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return new JsonWebKey(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
