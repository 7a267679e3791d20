namespace Backchannel.Tests.Storage.Contract;

// The store contracts run against the embedded SQLite engine. Another engine adds one file like this one.

public sealed class SqliteAuthenticationRequestStoreTests : AuthenticationRequestStoreContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteOutboxStoreTests : OutboxStoreContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteRefreshTokenStoreTests : RefreshTokenStoreContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteReplayCacheTests : ReplayCacheContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteRevokedAccessTokenStoreTests : RevokedAccessTokenStoreContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqlitePairwiseSubjectStoreTests : PairwiseSubjectStoreContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteKeyStoreTests : KeyStoreContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteUserStoreTests : UserStoreContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteClientStoreTests : ClientStoreContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteStoreLockTests : StoreLockContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteStoreLifecycleTests : StoreLifecycleContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteAuditStoreTests : AuditStoreContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteRequestListTests : RequestListContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteUserWriteTests : UserWriteContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteClientWriteTests : ClientWriteContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteKeyActivationTests : KeyActivationContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteSignInFailureStoreTests : SignInFailureStoreContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}

public sealed class SqliteAppDeviceStoreTests : AppDeviceStoreContract
{
    protected override StoreEngine CreateEngine() => new SqliteStoreEngine();
}
