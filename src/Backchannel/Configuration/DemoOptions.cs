namespace Backchannel.Configuration;

/// <summary>Demo users and clients for a first run.</summary>
public sealed class DemoOptions
{
    /// <summary>Seed the demo users and clients. Empty: on in Development when no users and clients are configured.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Whether the demo users and clients were added (set when options are built).</summary>
    internal bool Applied { get; set; }
}
