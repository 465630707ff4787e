using System.Text.RegularExpressions;

namespace Ledger.Infrastructure.Zones;

/// <summary>
/// A cooperation zone's id (<c>Ledger:Zone</c>, the <c>ledger_zone</c> claim, the master table's tenant id): lower-case
/// letters, digits and hyphens, starting with a letter, at most 63, so that it is the same word as a Marten tenant id
/// (which Marten may fold to lower case), in a checkpoint's origin <c>ledger.local/ID</c> and in a URL.
/// </summary>
public static partial class ZoneId
{
    public const string Default = "pilot-zone";
    public const string Setting = "Ledger:Zone";

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    /// <summary>The origin a zone's log carries unless <c>Integrity:Origin</c> says otherwise.</summary>
    public static string DefaultOrigin(string zone) => $"ledger.local/{zone}";

    public const string Rule = "lower-case letters, digits and hyphens, starting with a letter, at most 63";

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex Pattern();
}
