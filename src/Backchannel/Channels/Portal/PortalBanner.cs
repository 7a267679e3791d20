namespace Backchannel.Channels.Portal;

/// <summary>The note the portal's pages show at the top (in Development: that it is a development server, and the demo users' passwords); null: none.</summary>
public sealed record PortalBanner(string? Text);
