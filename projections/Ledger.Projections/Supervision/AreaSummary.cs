namespace Ledger.Projections.Supervision;

/// <summary>
/// The agreement roll-up over every commitment of one task area, one province or one prefecture (by
/// the lead government). Ids "taskArea/Transport", "province/Hunan", "prefecture/株洲市".
/// </summary>
public sealed class AreaSummary : RollUpTotals
{
    public string Id { get; set; } = "";
    /// <summary>taskArea, province or prefecture.</summary>
    public string Scope { get; set; } = "";
    public string Key { get; set; } = "";

    public static string IdFor(string scope, string key) => scope + "/" + key;
}
