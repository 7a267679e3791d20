using System.Buffers;
using System.Text.Json;

namespace Backchannel.LoadGen;

/// <summary>The few fields the generator reads from the provider's answers, read with <see cref="Utf8JsonReader"/>.</summary>
public static class JsonFields
{
    public struct ProviderAnswer
    {
        public string? AuthReqId;
        public int ExpiresIn;
        public int Interval;
        public string? Error;
        public bool HasAccessToken;
        public bool HasIdToken;
        public bool Malformed;

        /// <summary>token_type is DPoP (RFC 9449 5).</summary>
        public bool DpopTokenType;

        /// <summary>The access token itself, read only when asked for (--mtls-cert checks its cnf).</summary>
        public string? AccessToken;
    }

    public sealed class Discovery
    {
        public string? Issuer { get; set; }
        public string? BackchannelAuthenticationEndpoint { get; set; }
        public string? TokenEndpoint { get; set; }
        public bool CibaGrantAdvertised { get; set; }
    }

    public sealed record DeviceNotification(
        string? TransactionId,
        string CallbackUrl,
        string CallbackToken,
        string? BindingMessage,
        long ArrivedAt);

    /// <summary>A ping or push notification the client received: its fields (auth_req_id, the tokens or the error) and when it arrived.</summary>
    public sealed record ClientNotification(ProviderAnswer Fields, long ArrivedAt);

    public static ProviderAnswer ParseAnswer(ReadOnlySequence<byte> body) => body.IsSingleSegment ? ParseAnswer(body.FirstSpan) : ParseAnswer(body.ToArray());

    /// <summary>bc-authorize, token and error answers: auth_req_id, expires_in, interval, error, access_token, id_token.</summary>
    public static ProviderAnswer ParseAnswer(ReadOnlySpan<byte> body, bool keepAccessToken = false)
    {
        var answer = default(ProviderAnswer);
        if (body.IsEmpty)
        {
            answer.Malformed = true;
            return answer;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                answer.Malformed = true;
                return answer;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("auth_req_id"u8))
                {
                    reader.Read();
                    answer.AuthReqId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("expires_in"u8))
                {
                    reader.Read();
                    answer.ExpiresIn = ReadInt(ref reader);
                }
                else if (reader.ValueTextEquals("interval"u8))
                {
                    reader.Read();
                    answer.Interval = ReadInt(ref reader);
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    answer.Error = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("access_token"u8))
                {
                    reader.Read();
                    answer.HasAccessToken = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0;
                    if (keepAccessToken && answer.HasAccessToken)
                    {
                        answer.AccessToken = reader.GetString();
                    }
                }
                else if (reader.ValueTextEquals("token_type"u8))
                {
                    reader.Read();
                    answer.DpopTokenType = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("DPoP"u8);
                }
                else if (reader.ValueTextEquals("id_token"u8))
                {
                    reader.Read();
                    answer.HasIdToken = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            answer.Malformed = true;
        }

        return answer;
    }

    private static int ReadInt(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n))
        {
            return (int)Math.Clamp(n, 0, int.MaxValue);
        }

        // Some providers send numbers as strings.
        if (reader.TokenType == JsonTokenType.String && long.TryParse(reader.GetString(), out n))
        {
            return (int)Math.Clamp(n, 0, int.MaxValue);
        }

        return 0;
    }

    public static Discovery ParseDiscovery(ReadOnlySpan<byte> body)
    {
        var d = new Discovery();
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("the discovery document is not a JSON object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("issuer"u8))
            {
                reader.Read();
                d.Issuer = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("backchannel_authentication_endpoint"u8))
            {
                reader.Read();
                d.BackchannelAuthenticationEndpoint = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("token_endpoint"u8))
            {
                reader.Read();
                d.TokenEndpoint = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("grant_types_supported"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("urn:openid:params:grant-type:ciba"u8))
                        {
                            d.CibaGrantAdvertised = true;
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return d;
    }

    /// <summary>The device notification body; null when callback_url or callback_token is missing or the JSON is bad.</summary>
    public static DeviceNotification? ParseNotification(ReadOnlySequence<byte> body, long arrivedAt)
    {
        string? transactionId = null, callbackUrl = null, callbackToken = null, bindingMessage = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("transaction_id"u8))
                {
                    reader.Read();
                    transactionId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("callback_url"u8))
                {
                    reader.Read();
                    callbackUrl = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("callback_token"u8))
                {
                    reader.Read();
                    callbackToken = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("binding_message"u8))
                {
                    reader.Read();
                    bindingMessage = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        if (string.IsNullOrEmpty(callbackUrl) || string.IsNullOrEmpty(callbackToken))
        {
            return null;
        }

        return new DeviceNotification(transactionId, callbackUrl, callbackToken, bindingMessage, arrivedAt);
    }
}
