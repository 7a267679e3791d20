using Backchannel.Abstractions;
using Backchannel.Channels;
using Backchannel.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Tests.Channels;

/// <summary>Which channels a request goes to: rules, the user's channels, the client's, the default; lists; channels that cannot reach the user passed over.</summary>
public class ChannelSelectorTests
{
    private static readonly User Alice = new() { Subject = "alice" };

    private static Client Client(params string[] channels) => new()
    {
        ClientId = "client-a",
        AuthenticationMethod = "client_secret_basic",
        GrantTypes = new HashSet<string>(),
        DeliveryMode = "poll",
        Channels = channels,
    };

    private static (ChannelRule, IReadOnlyList<string>) Rule(string channel, int? min = null, int? max = null, params string[] clients) =>
        (new ChannelRule { Channel = channel, MinExpirySeconds = min, MaxExpirySeconds = max, Clients = [.. clients] }, ChannelList.Parse(channel));

    private static List<IReadOnlyList<string>> Candidates(IReadOnlyList<(ChannelRule, IReadOnlyList<string>)> rules, User user, Client client,
        int expiry = 120) => ChannelSelector.Candidates(rules, user, client, expiry, ["http"]).ToList();

    [Fact]
    public void Candidates_are_the_matching_rules_then_the_users_channels_then_the_default()
    {
        var rules = new[] { Rule("app", max: 300), Rule("mail", min: 301), Rule("sms", clients: "client-b"), Rule("app,mail") };

        var shortRequest = Candidates(rules, Alice with { Channel = "portal, mail" }, Client(), 120);
        var longRequest = Candidates(rules, Alice, Client(), 600);

        Assert.Equal([["app"], ["app", "mail"], ["portal", "mail"], ["http"]], shortRequest);
        Assert.Equal([["mail"], ["app", "mail"], ["http"]], longRequest);
    }

    [Fact]
    public void A_client_that_lists_channels_gets_only_those_and_its_own_in_order_instead_of_the_default()
    {
        var rules = new[] { Rule("app,mail"), Rule("sms") };

        var candidates = Candidates(rules, Alice with { Channel = "sms,portal" }, Client("portal", "MAIL"));

        Assert.Equal([["mail"], ["portal"], ["portal"], ["MAIL"]], candidates);
    }

    [Fact]
    public async Task The_first_candidate_with_a_channel_that_reaches_the_user_is_chosen_with_those_of_its_channels_that_do()
    {
        await using var services = Services(("Channels:Rules:0:Channel", "app,mail"), ("Channels:Rules:0:MaxExpirySeconds", "300"),
            ("Channels:Rules:1:Channel", "app"));
        var selector = services.GetRequiredService<ChannelSelector>();

        Assert.Equal(["mail"], await selector.SelectAsync(Alice, Client(), 120, CancellationToken.None));
        Assert.Equal(["http"], await selector.SelectAsync(Alice, Client(), 600, CancellationToken.None)); // the app cannot reach alice
        // Past the rule's app, the user's app and the client's app, to the client's next channel, by the name it was configured with.
        Assert.Equal(["mail"], await selector.SelectAsync(Alice with { Channel = "app" }, Client("app", "MAIL"), 600, CancellationToken.None));
    }

    [Fact]
    public async Task When_no_candidate_reaches_the_user_the_last_one_is_used_as_it_is()
    {
        await using var services = Services(("Channels:Default", "app"));

        Assert.Equal(["app"], await services.GetRequiredService<ChannelSelector>().SelectAsync(Alice, Client(), 120, CancellationToken.None));
    }

    private static ServiceProvider Services(params (string Key, string Value)[] settings) =>
        ChannelServices.Compose(new Dictionary<string, string?>
        {
            ["Issuer"] = "https://op.example",
            ["Channels:Http:Url"] = "https://device.example/notify",
        }, settings, builder => builder.AddChannel<UnreachableChannel>("app").AddChannel<DeliveringChannel>("mail"));
}
