using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// The 64-bit keys of PostgreSQL advisory locks, derived from names: the first eight bytes of the name's SHA-256, the
/// same on every node and every version of .NET (string.GetHashCode is randomised per process).
/// </summary>
internal static class PostgresAdvisoryLocks
{
    /// <summary>The lock the schema migrations are applied under.</summary>
    public const string Migrations = "backchannel.migrations";

    public static long Key(string name) => BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
}
