using System.Text;
using Backchannel.Domain;
using Backchannel.IntegrationTests.Infrastructure;
using Backchannel.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.IntegrationTests.Hardening;

/// <summary>
/// Issue 16, item 8: the SQLite files are the owner's alone (0600), and the keys in provider_keys are protected with an
/// ASP.NET Core Data Protection key ring kept outside the database (Backchannel:KeyProtection:KeysDirectory). Each test
/// has its own provider, directory and key ring.
/// </summary>
public sealed class SecretsAtRestTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly byte[] ProtectedMarker = "BKP1"u8.ToArray();

    private sealed record StoredKeyRow(string KeyId, KeyPurpose Purpose, byte[] Material);

    /// <summary>A directory for one test's database and key ring, removed afterwards.</summary>
    private sealed class TestDirectory : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));

        public string KeyRing => System.IO.Path.Combine(Path, "key-ring");

        public TestDirectory() => Directory.CreateDirectory(Path);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static Task<TestProvider> StartAsync(TestDirectory directory) =>
        TestProvider.StartAsync(new Dictionary<string, string?> { ["Backchannel:KeyProtection:KeysDirectory"] = directory.KeyRing },
            directory.Path, time: new TestClock());

    private static async Task<List<StoredKeyRow>> ReadKeysAsync(TestProvider provider)
    {
        await using var database = provider.OpenDatabase();
        await using var command = database.CreateCommand();
        command.CommandText = "SELECT kid, purpose, private_key FROM provider_keys";
        var rows = new List<StoredKeyRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new StoredKeyRow(reader.GetString(0), (KeyPurpose)reader.GetInt32(1), (byte[])reader.GetValue(2)));
        }

        return rows;
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task The_database_its_wal_and_shm_files_and_its_lock_file_are_for_the_owner_only()
    {
        using var directory = new TestDirectory();
        await using var provider = await StartAsync(directory);

        // A whole flow writes through the WAL, so that every file SQLite keeps exists.
        await provider.CompleteFlowAsync();

        var files = new[] { "", "-wal", "-shm", "-journal", ".lock" }.Select(suffix => provider.DatabasePath + suffix).Where(File.Exists).ToList();
        Assert.Contains(provider.DatabasePath, files);
        Assert.Contains(provider.DatabasePath + ".lock", files);
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix file modes; the files' ACLs are the operator's
        }

        foreach (var file in files)
        {
            var mode = File.GetUnixFileMode(file);
            Assert.True(mode == OwnerReadWrite, $"{Path.GetFileName(file)} has mode {Convert.ToString((int)mode, 8)}, not 600");
        }
    }

    [Fact]
    public async Task Signing_and_sealing_keys_are_stored_protected_by_a_key_ring_outside_the_database()
    {
        using var directory = new TestDirectory();
        await using var provider = await StartAsync(directory);
        var protector = provider.Services.GetRequiredService<KeyMaterialProtector>();

        var rows = await ReadKeysAsync(provider);
        Assert.Contains(rows, row => row.Purpose == KeyPurpose.Sealing);
        Assert.Contains(rows, row => row.Purpose == KeyPurpose.Tokens);

        var database = ReadShared(provider.DatabasePath);
        var wal = File.Exists(provider.DatabasePath + "-wal") ? ReadShared(provider.DatabasePath + "-wal") : [];
        foreach (var row in rows)
        {
            Assert.True(row.Material.AsSpan().StartsWith(ProtectedMarker), $"key {row.KeyId} ({row.Purpose}) is not stored protected");
            Assert.DoesNotContain("\"d\":", Encoding.Latin1.GetString(row.Material), StringComparison.Ordinal);

            // The clear key is nowhere in the stored value, nor in the database files.
            var clear = protector.Unprotect(row.Material);
            Assert.NotEmpty(clear);
            Assert.True(row.Material.AsSpan().IndexOf(clear) < 0, $"key {row.KeyId} is stored in clear");
            Assert.True(database.AsSpan().IndexOf(clear) < 0 && wal.AsSpan().IndexOf(clear) < 0, $"the database files hold key {row.KeyId} in clear");
        }

        // The key that protects them lives in the configured key ring.
        Assert.NotEmpty(Directory.GetFiles(directory.KeyRing, "*.xml"));
    }

    [Fact]
    public async Task A_key_an_earlier_version_stored_in_clear_is_protected_at_the_next_start_and_still_signs()
    {
        using var directory = new TestDirectory();
        StoredKeyRow signingKey;
        byte[] clear;
        await using (var first = await StartAsync(directory))
        {
            signingKey = (await ReadKeysAsync(first)).First(row => row.Purpose == KeyPurpose.Tokens);
            clear = first.Services.GetRequiredService<KeyMaterialProtector>().Unprotect(signingKey.Material);
        }

        // What an earlier version left: the same key, in clear.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory.Path, "backchannel.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE provider_keys SET private_key = $key WHERE kid = $kid";
            update.Parameters.AddWithValue("$key", clear);
            update.Parameters.AddWithValue("$kid", signingKey.KeyId);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        await using var second = await StartAsync(directory);
        var stored = (await ReadKeysAsync(second)).Single(row => row.KeyId == signingKey.KeyId).Material;
        Assert.True(stored.AsSpan().StartsWith(ProtectedMarker), "the key stored in clear was not protected at start");
        Assert.Equal(clear, second.Services.GetRequiredService<KeyMaterialProtector>().Unprotect(stored));

        // The same key still signs what a relying party validates against /jwks.
        Assert.Contains(signingKey.KeyId, await second.Http.GetStringAsync("/jwks"), StringComparison.Ordinal);
        var tokens = await second.CompleteFlowAsync();
        await TokenAssertions.ValidateIdTokenAsync(second, tokens.IdentityToken!, TestClients.Poll);
    }
}
