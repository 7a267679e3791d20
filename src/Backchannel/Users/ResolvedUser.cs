using Backchannel.Domain;

namespace Backchannel.Users;

/// <summary>The user a hint identified, and how to name them to their device.</summary>
public sealed record ResolvedUser(User User, string DisplayHint);
