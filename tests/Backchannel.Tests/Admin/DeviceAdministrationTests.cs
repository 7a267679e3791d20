using Backchannel.Abstractions;
using Backchannel.Admin;
using Backchannel.Diagnostics;
using Backchannel.Domain;
using Backchannel.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Backchannel.Tests.Admin;

/// <summary>The admin API's device service over a real SQLite store: a user's devices listed, one removed, and the removal audited.</summary>
public class DeviceAdministrationTests
{
    private static readonly AdminCaller Operator = new("ops-cli");

    [Fact]
    public async Task An_operator_removes_a_users_device_and_the_audit_log_names_the_device_the_user_and_the_operator()
    {
        var recorder = new RecordingLoggerProvider();
        await using var services = await StartAsync(recorder);
        await RegisterAsync(services, "device-a", "alice", 1);
        await RegisterAsync(services, "device-b", "alice", 2);
        await RegisterAsync(services, "device-c", "bob", 3);
        var admin = services.Get<DeviceAdministration>();

        var listed = await admin.ListAsync("alice", CancellationToken.None);
        Assert.Equal(["device-a", "device-b"], listed.Value!.Items.Select(d => d.DeviceId));
        Assert.Null(listed.Value!.NextCursor);
        Assert.Equal("P-256", listed.Value!.Items[0].Jwk["crv"]!.GetValue<string>());

        var notHers = await admin.RemoveAsync("alice", "device-c", Operator, CancellationToken.None);
        Assert.Equal(AdminErrors.NotFound, notHers.Error!.Error);
        Assert.Equal(404, notHers.Error!.StatusCode);
        Assert.True((await admin.RemoveAsync("alice", "device-a", Operator, CancellationToken.None)).Succeeded);
        Assert.False((await admin.RemoveAsync("alice", "device-a", Operator, CancellationToken.None)).Succeeded);

        Assert.Equal(["device-b"], (await admin.ListAsync("alice", CancellationToken.None)).Value!.Items.Select(d => d.DeviceId));
        Assert.Single((await admin.ListAsync("bob", CancellationToken.None)).Value!.Items);
        Assert.Equal(["device.removed device=device-a subject=alice by=operator ops-cli"],
            recorder.Lines(AuditLog.Category).Where(line => line.StartsWith("device.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_known_user_without_devices_has_an_empty_list_and_an_unknown_user_is_not_found()
    {
        await using var services = await StartAsync(new RecordingLoggerProvider());
        var admin = services.Get<DeviceAdministration>();

        Assert.Empty((await admin.ListAsync("bob", CancellationToken.None)).Value!.Items);
        Assert.Equal(404, (await admin.ListAsync("nobody", CancellationToken.None)).Error!.StatusCode);
    }

    private static Task<TestServices> StartAsync(RecordingLoggerProvider recorder) =>
        TestServices.StartAsync(TestSettings.User(0, "alice", "alice").Concat(TestSettings.User(1, "bob", "bob")),
            configure: s => s.AddSingleton<ILoggerProvider>(recorder).AddLogging(l => l.AddFilter(AuditLog.Category, LogLevel.Information)));

    private static async Task RegisterAsync(TestServices services, string id, string subject, int second)
    {
        var now = new DateTimeOffset(2026, 12, 1, 12, 0, second, TimeSpan.Zero);
        var outcome = await services.Get<IAppDeviceStore>().RegisterAsync(new AppDevice
        {
            Id = id,
            Subject = subject,
            Name = "Phone " + id,
            PublicKey = $$"""{"crv":"P-256","kty":"EC","x":"{{id}}-x","y":"{{id}}-y"}""",
            CreatedAt = now,
            UpdatedAt = now,
        }, 10, CancellationToken.None);
        Assert.Equal(DeviceRegistrationOutcome.Registered, outcome);
    }
}
