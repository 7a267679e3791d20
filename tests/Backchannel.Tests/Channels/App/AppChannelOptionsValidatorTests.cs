using System.Security.Cryptography;
using System.Text.Json;
using Backchannel.Channels.App;

namespace Backchannel.Tests.Channels.App;

public sealed class AppChannelOptionsValidatorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("backchannel-app-options-").FullName;

    private static IReadOnlyList<string> Errors(AppChannelOptions options) =>
        new AppChannelOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    private string KeyFile(string? projectId = "project-1")
    {
        using var rsa = RSA.Create(2048);
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".json");
        var file = new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "sender@project-1.iam.gserviceaccount.com",
            ["token_uri"] = "https://oauth2.googleapis.com/token",
        };
        if (projectId is not null)
        {
            file["project_id"] = projectId;
        }

        File.WriteAllText(path, JsonSerializer.Serialize(file));
        return path;
    }

    [Fact]
    public void A_disabled_channel_is_not_checked_and_an_enabled_one_without_fcm_is_fine()
    {
        Assert.Empty(Errors(new AppChannelOptions { MaxDevicesPerUser = 0 }));
        Assert.Empty(Errors(new AppChannelOptions { Enabled = true }));
        Assert.Empty(Errors(new AppChannelOptions { Enabled = true, Fcm = { ServiceAccountFile = KeyFile() } }));
        Assert.Empty(Errors(new AppChannelOptions { Enabled = true, Fcm = { ServiceAccountFile = KeyFile(null), ProjectId = "other-project" } }));
    }

    [Fact]
    public void Wrong_settings_are_named_in_the_errors()
    {
        var errors = Errors(new AppChannelOptions
        {
            Enabled = true,
            MaxDevicesPerUser = 0,
            RegistrationClients = ["app", " "],
            Fcm = { ServiceAccountFile = Path.Combine(_directory, "missing.json"), BaseUrl = "http://fcm.example" },
        });

        Assert.Contains("Backchannel:Channels:App:MaxDevicesPerUser must be between 1 and 100.", errors);
        Assert.Contains("Backchannel:Channels:App:RegistrationClients must list client_ids (an entry is empty).", errors);
        Assert.Contains(errors, e => e.StartsWith("Backchannel:Channels:App:Fcm:BaseUrl must be an absolute https URL", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Backchannel:Channels:App:Fcm:ServiceAccountFile", StringComparison.Ordinal) && e.Contains("cannot be read"));
    }

    [Fact]
    public void A_key_file_without_a_project_or_a_project_id_setting_alone_is_refused()
    {
        Assert.Contains("Backchannel:Channels:App:Fcm:ProjectId must be set: the service account file names no project_id.",
            Errors(new AppChannelOptions { Enabled = true, Fcm = { ServiceAccountFile = KeyFile(null) } }));
        Assert.Contains(Errors(new AppChannelOptions { Enabled = true, Fcm = { ServiceAccountFile = KeyFile("Bad_Project") } }),
            e => e.Contains("is not a Firebase project id", StringComparison.Ordinal));
        Assert.Contains(Errors(new AppChannelOptions { Enabled = true, Fcm = { ProjectId = "project-1" } }),
            e => e.StartsWith("Backchannel:Channels:App:Fcm:ProjectId is set but Backchannel:Channels:App:Fcm:ServiceAccountFile is not", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
