namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>
/// The collection of the classes that drive Chromium: they run one class after another (each with its own browser), so
/// that two browsers never compete for the machine's cores with the rest of the suite.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserTests
{
    public const string Name = "Browser tests";
}
