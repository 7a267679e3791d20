using System.Net;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Admin;

/// <summary>A provider on a test clock that keeps the audit trail for one day (<c>Audit:RetentionDays</c>), with the operator clients.</summary>
public sealed class AuditRetentionProvider : SharedProvider
{
    protected override Dictionary<string, string?> Settings() => new(AdminClients.Settings())
    {
        ["Backchannel:Audit:RetentionDays"] = "1",
    };
}

/// <summary>
/// The audit trail is kept for <c>Audit:RetentionDays</c>: a request's events outlive the request itself, and the
/// cleanup removes them once they are older than the retention, not before, and not a younger request's.
/// </summary>
public sealed class AuditRetentionTests(AuditRetentionProvider shared) : IClassFixture<AuditRetentionProvider>
{
    private TestProvider Provider => shared.Provider;

    [Fact]
    public async Task Events_are_removed_once_older_than_the_retention_and_outlive_their_request_until_then()
    {
        var old = await ApprovedFlowAsync();

        await Provider.FakeTime.AdvanceInStepsAsync(TimeSpan.FromHours(13), TimeSpan.FromSeconds(1));
        var admin = await AdminApi.ConnectAsync(Provider);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/requests/" + old)).Status);
        var kept = await admin.GetAsync($"/admin/requests/{old}/events");
        Assert.Equal(HttpStatusCode.OK, kept.Status);
        Assert.Contains(kept.Items, e => e.GetProperty("event").GetString() == "decided");

        var young = await ApprovedFlowAsync();
        await Provider.FakeTime.AdvanceInStepsAsync(TimeSpan.FromHours(13), TimeSpan.FromSeconds(1));
        admin = await AdminApi.ConnectAsync(Provider);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/admin/requests/{old}/events")).Status);
        var younger = await admin.GetAsync($"/admin/requests/{young}/events");
        Assert.Equal(HttpStatusCode.OK, younger.Status);
        Assert.Contains(younger.Items, e => e.GetProperty("event").GetString() == "redeemed");
    }

    /// <summary>A flow of the poll client, approved by the device service and redeemed; its transaction id.</summary>
    private async Task<string> ApprovedFlowAsync()
    {
        var message = "retention " + Guid.NewGuid().ToString("N")[..8];
        var authorization = await Provider.AuthorizeAsync("alice", message);
        Assert.False(authorization.IsError, authorization.Raw);
        var notification = await Provider.Device.ForAsync(message);
        using (var approved = await Provider.Device.ApproveAsync(notification))
        {
            Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        }

        Assert.False((await Provider.RedeemAsync(authorization.AuthenticationRequestId!)).IsError);
        return notification.TransactionId;
    }
}
