using Npgsql;
using NpgsqlTypes;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// Positional parameters (<c>$1</c>, <c>$2</c>, ...) with their PostgreSQL types stated, so that a null is typed too
/// (<c>$7 IS NULL</c> needs a type) and nothing is inferred per call. Times go over as Unix milliseconds, as stored.
/// </summary>
internal static class PostgresParameter
{
    public static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    public static NpgsqlParameter Bytes(byte[]? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)value ?? DBNull.Value };

    public static NpgsqlParameter Integer(int value) => new NpgsqlParameter<int> { TypedValue = value };

    public static NpgsqlParameter Integer(int? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Integer, Value = value is { } number ? number : DBNull.Value };

    public static NpgsqlParameter Bigint(long value) => new NpgsqlParameter<long> { TypedValue = value };

    public static NpgsqlParameter Boolean(bool value) => new NpgsqlParameter<bool> { TypedValue = value };

    public static NpgsqlParameter Time(DateTimeOffset value) => Bigint(value.ToUnixTimeMilliseconds());

    public static NpgsqlParameter Time(DateTimeOffset? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Bigint, Value = value is { } time ? time.ToUnixTimeMilliseconds() : DBNull.Value };

    public static NpgsqlParameter TextArray(IEnumerable<string?>? values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = values is null ? DBNull.Value : values.ToArray() };

    public static NpgsqlParameter BigintArray(IEnumerable<long> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = values.ToArray() };

    public static NpgsqlParameter BooleanArray(IEnumerable<bool?> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Boolean, Value = values.ToArray() };
}
