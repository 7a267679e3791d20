namespace Backchannel.Admin;

/// <summary>A resource of the admin API and its entity tag (sent as ETag).</summary>
public sealed record Tagged<T>(T Value, string ETag);
