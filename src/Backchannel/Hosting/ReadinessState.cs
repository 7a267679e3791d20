namespace Backchannel.Hosting;

/// <summary>Whether the provider finished starting (store open, keys loaded).</summary>
public sealed class ReadinessState
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;
}
