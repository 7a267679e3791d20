using Backchannel.Abstractions;
using Backchannel.Diagnostics;
using Backchannel.Protocol;

namespace Backchannel.Admin;

/// <summary>
/// The admin API's view of users' app devices (the app channel's registered keys): a user's devices listed, and one
/// removed, whoever registered it; its JWTs are refused at once. A removal is written to the audit log
/// (<c>device.removed … by=operator {client_id}</c>).
/// </summary>
public sealed class DeviceAdministration(IAppDeviceStore devices, IUserStore users, AuditLog audit)
{
    /// <summary>The user's devices, oldest first (one page: a user has at most <c>Channels:App:MaxDevicesPerUser</c>); 404 for an unknown user without devices.</summary>
    public async Task<ProtocolResult<Page<AdminDeviceView>>> ListAsync(string subject, CancellationToken cancellationToken)
    {
        var list = await devices.ListForSubjectAsync(subject, cancellationToken);
        if (list.Count == 0 && await users.FindBySubjectAsync(subject, cancellationToken) is null)
        {
            return AdminErrors.Missing($"user '{subject}'");
        }

        return new Page<AdminDeviceView>(list.Select(AdminDeviceView.Of).ToList(), null);
    }

    /// <summary>Removes the user's device; 404 when the user has no device of this id (another user's included).</summary>
    public async Task<ProtocolResult<bool>> RemoveAsync(string subject, string deviceId, AdminCaller caller, CancellationToken cancellationToken)
    {
        if (!await devices.DeleteAsync(deviceId, subject, cancellationToken))
        {
            return AdminErrors.Missing($"device '{deviceId}' of user '{subject}'");
        }

        audit.DeviceRemoved(deviceId, subject, "operator " + caller.ClientId);
        return true;
    }
}
