namespace Backchannel.Admin;

/// <summary>Who calls the admin API: the client whose access token (scope backchannel:admin) was presented.</summary>
public sealed record AdminCaller(string ClientId);
