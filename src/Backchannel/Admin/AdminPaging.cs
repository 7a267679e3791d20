using System.Buffers.Text;
using System.Text;
using Backchannel.Protocol;

namespace Backchannel.Admin;

/// <summary>
/// How the admin API pages its lists: <c>limit</c> items (default <see cref="DefaultLimit"/>, at most
/// <see cref="MaxLimit"/>: a larger value is capped), in a stable order, and an opaque <c>cursor</c> (base64url of the
/// key to continue from) that the <c>next</c> link of a page carries.
/// </summary>
public static class AdminPaging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    private const int MaxCursorLength = 1024;

    /// <summary>The page size for a <c>limit</c> parameter (null: the default), or invalid_request.</summary>
    public static ProtocolResult<int> Limit(string? value)
    {
        if (value is null)
        {
            return DefaultLimit;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit > 0
            ? Math.Min(limit, MaxLimit)
            : AdminErrors.InvalidRequest($"limit must be a whole number from 1 (at most {MaxLimit} are returned).");
    }

    /// <summary>
    /// The page of <paramref name="fetched"/>, which was read with <paramref name="limit"/> + 1 items (one more than the page
    /// holds, so that it says whether a next page exists): at most <paramref name="limit"/> items as shown, and the cursor
    /// of the last one's key when there is more.
    /// </summary>
    public static Page<TView> PageOf<TItem, TView>(IReadOnlyList<TItem> fetched, int limit, Func<TItem, TView> view, Func<TItem, string> key) =>
        new(fetched.Take(limit).Select(view).ToList(), fetched.Count > limit ? Cursor(key(fetched[limit - 1])) : null);

    /// <summary>The opaque cursor of a key.</summary>
    public static string Cursor(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));

    /// <summary>The key of a <c>cursor</c> parameter (null: none), or invalid_request.</summary>
    public static ProtocolResult<string?> Key(string? cursor)
    {
        if (cursor is null)
        {
            return ProtocolResult<string?>.Ok(null);
        }

        if (cursor.Length is 0 or > MaxCursorLength || !cursor.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return AdminErrors.InvalidRequest("cursor is not one this API gave (take it from the next link of a page).");
        }

        try
        {
            return ProtocolResult<string?>.Ok(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(cursor)));
        }
        catch (DecoderFallbackException)
        {
            return AdminErrors.InvalidRequest("cursor is not one this API gave (take it from the next link of a page).");
        }
    }
}
