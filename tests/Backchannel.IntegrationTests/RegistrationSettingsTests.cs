using System.Net;
using System.Text.Json.Nodes;
using Backchannel.IntegrationTests.Infrastructure;
using static Backchannel.IntegrationTests.Infrastructure.RegistrationRequests;

namespace Backchannel.IntegrationTests;

/// <summary>Registration under settings other than the shared registration provider's: each test starts its own provider.</summary>
public class RegistrationSettingsTests
{
    private const string InitialToken = "the-only-initial-access-token-0123456789";

    [Fact]
    public async Task A_registered_client_survives_a_restart_and_keeps_its_token_when_tokens_are_not_rotated()
    {
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var settings = new Dictionary<string, string?>
        {
            ["Backchannel:Registration:Enabled"] = "true",
            ["Backchannel:Registration:InitialAccessToken"] = InitialToken,
        };
        try
        {
            string clientId, token, path;
            string? secret;
            await using (var first = await TestProvider.StartAsync(settings, directory))
            {
                var (registered, body) = await RegisterAsync(first.Http, new JsonObject { ["backchannel_token_delivery_mode"] = "poll" }, InitialToken);
                Assert.True(registered.StatusCode == HttpStatusCode.Created, body.ToString());
                string uri;
                (clientId, secret, token, uri) = Credentials(body);
                path = new Uri(uri).AbsolutePath;

                var update = UpdateBody(body);
                update["client_name"] = "Renamed";
                var (updated, updatedBody) = await SendAsync(first.Http, HttpMethod.Put, path, token, update.ToJsonString());
                Assert.True(updated.StatusCode == HttpStatusCode.OK, updatedBody.ToString());
                Assert.Equal(token, updatedBody.GetProperty("registration_access_token").GetString());
            }

            // The settings are seeded again at start: the client from registration is not one of theirs and stays.
            await using var second = await TestProvider.StartAsync(settings, directory);
            var (read, readBody) = await SendAsync(second.Http, HttpMethod.Get, path, token);
            Assert.True(read.StatusCode == HttpStatusCode.OK, readBody.ToString());
            Assert.Equal("Renamed", readBody.GetProperty("client_name").GetString());
            Assert.Equal(second.Issuer + path, readBody.GetProperty("registration_client_uri").GetString());
            await second.CompleteFlowAsync(clientId: clientId, clientSecret: secret!);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Registration_applies_the_url_rules_of_the_settings()
    {
        // Open registration (no initial access token), with the production rules for client URLs.
        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?>
        {
            ["Backchannel:Registration:Enabled"] = "true",
            ["Backchannel:Notifications:AllowHttp"] = "false",
            ["Backchannel:Notifications:AllowPrivateNetworks"] = "false",
        });

        foreach (var endpoint in new[] { "https://10.1.2.3/cb", "https://127.0.0.1/cb", "https://[::1]/cb", "https://169.254.169.254/latest", "http://client.example.com/cb" })
        {
            var (response, body) = await RegisterAsync(provider.Http, new JsonObject
            {
                ["backchannel_token_delivery_mode"] = "ping",
                ["backchannel_client_notification_endpoint"] = endpoint,
            }, initialAccessToken: null);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{endpoint}: {body}");
            Assert.Equal("invalid_client_metadata", body.Error());
            Assert.Contains("backchannel_client_notification_endpoint", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        }

        var (accepted, acceptedBody) = await RegisterAsync(provider.Http, new JsonObject
        {
            ["backchannel_token_delivery_mode"] = "ping",
            ["backchannel_client_notification_endpoint"] = "https://client.example.com/cb",
        }, initialAccessToken: null);
        Assert.True(accepted.StatusCode == HttpStatusCode.Created, acceptedBody.ToString());
    }
}
