namespace Backchannel.Tests.Storage.Contract;

// The store contracts run against the PostgreSQL engine, each test in a database of its own (PostgresStoreEngine) on the
// server PostgresServer starts.

public sealed class PostgresAuthenticationRequestStoreTests : AuthenticationRequestStoreContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresOutboxStoreTests : OutboxStoreContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresRefreshTokenStoreTests : RefreshTokenStoreContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresReplayCacheTests : ReplayCacheContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresRevokedAccessTokenStoreTests : RevokedAccessTokenStoreContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresPairwiseSubjectStoreTests : PairwiseSubjectStoreContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresKeyStoreTests : KeyStoreContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresUserStoreTests : UserStoreContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresClientStoreTests : ClientStoreContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresStoreLockTests : StoreLockContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresStoreLifecycleTests : StoreLifecycleContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresAuditStoreTests : AuditStoreContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresRequestListTests : RequestListContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresUserWriteTests : UserWriteContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresClientWriteTests : ClientWriteContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresKeyActivationTests : KeyActivationContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresSignInFailureStoreTests : SignInFailureStoreContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}

public sealed class PostgresAppDeviceStoreTests : AppDeviceStoreContract
{
    protected override StoreEngine CreateEngine() => new PostgresStoreEngine();
}
