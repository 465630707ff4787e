using System.Globalization;
using System.Text;

namespace Ledger.Infrastructure.Audit;

/// <summary>An opaque token for the last id of a page of the access log: base64url of "access-log:{id}". The API and the console page alike.</summary>
public static class AccessLogCursor
{
    private const string Prefix = "access-log:";

    public static string Write(long id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + id.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The id a cursor names; null when it is not one this ledger issued.</summary>
    public static long? Read(string cursor)
    {
        try
        {
            var text = cursor.Replace('-', '+').Replace('_', '/');
            text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
            var plain = Encoding.UTF8.GetString(Convert.FromBase64String(text));
            if (plain.StartsWith(Prefix, StringComparison.Ordinal)
                && long.TryParse(plain.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
                return id;
        }
        catch (FormatException)
        {
        }
        return null;
    }
}
