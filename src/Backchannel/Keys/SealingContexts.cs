namespace Backchannel.Keys;

/// <summary>What a sealed value belongs to (the associated data of its encryption).</summary>
public static class SealingContexts
{
    public static string AuthReqId(string requestId) => "auth_req_id:" + requestId;

    public static string PushedTokens(string requestId) => "push:" + requestId;
}
