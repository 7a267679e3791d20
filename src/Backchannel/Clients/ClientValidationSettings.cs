namespace Backchannel.Clients;

/// <summary>The provider settings client metadata is validated against.</summary>
public sealed record ClientValidationSettings
{
    public required IReadOnlyList<string> DeliveryModes { get; init; }

    public required IReadOnlyList<string> RequestSigningAlgorithms { get; init; }

    public bool UserCodeSupported { get; init; } = true;

    public bool AllowHttp { get; init; }

    public bool AllowPrivateNetworks { get; init; }
}
