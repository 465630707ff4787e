using JasperFx.Events;

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

/// <summary>The roll-ups per task area, province and prefecture (of the lead), moved by each standing's contribution before and after.</summary>
public sealed class AreaSummaryProjection : IRollUpProjection
{
    public async Task ApplyAsync(IEvent e, FoldDocuments documents, FirstStageChanges changes, CancellationToken ct)
    {
        if (changes.Standing is not { } s || changes.After == changes.Before) return;
        foreach (var (scope, key) in new[] { ("taskArea", s.TaskArea.ToString()), ("province", s.LeadProvince.ToString()), ("prefecture", s.LeadPrefecture) })
        {
            var id = AreaSummary.IdFor(scope, key);
            var area = await documents.FindAsync<AreaSummary>(id, ct) ?? new AreaSummary { Id = id, Scope = scope, Key = key };
            area.Add(changes.Before, -1);
            area.Add(changes.After, +1);
            documents.Save(id, area);
        }
    }
}
