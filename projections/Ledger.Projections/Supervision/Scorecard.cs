using JasperFx.Events;
using Ledger.Contracts;

namespace Ledger.Projections.Supervision;

/// <summary>
/// A government's published score for an evaluation cycle with band and rank, its appeals and, when
/// an appeal is upheld, the revised total. Id "{cycleId}/{governmentId}".
/// </summary>
public sealed class Scorecard
{
    public string Id { get; set; } = "";
    public string CycleId { get; set; } = "";
    public string Period { get; set; } = "";
    public string MethodVersion { get; set; } = "";
    public string GovernmentId { get; set; } = "";
    public string GovernmentNameZh { get; set; } = "";
    public string GovernmentNameEn { get; set; } = "";
    public Province Province { get; set; }
    public string Prefecture { get; set; } = "";
    public decimal Total { get; set; }
    public Band Band { get; set; }
    public int Rank { get; set; }
    public int Of { get; set; }
    public List<ScoreComponent> Components { get; set; } = [];
    public DateTimeOffset PublishedAt { get; set; }
    public List<ScoreAppealEntry> Appeals { get; set; } = [];
    public int OpenAppeals { get; set; }
    /// <summary>The total of the latest upheld appeal; null while none is upheld.</summary>
    public decimal? RevisedTotal { get; set; }
    public Band? RevisedBand { get; set; }

    public static string IdFor(string cycleId, string governmentId) => cycleId + "/" + governmentId;
}

public sealed class ScoreAppealEntry
{
    public string AppealId { get; set; } = "";
    public string Grounds { get; set; } = "";
    public DateTimeOffset AppealedAt { get; set; }
    public bool Decided { get; set; }
    public bool? Upheld { get; set; }
    public decimal? RevisedTotal { get; set; }
    public string? Findings { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
}

/// <summary>What the scorecards need of an evaluation cycle, kept beside the scorecards by their projection. Id = the cycle id.</summary>
public sealed class EvaluationCycleEntry
{
    public string Id { get; set; } = "";
    public string Period { get; set; } = "";
    public string MethodVersion { get; set; } = "";
    public DateOnly Start { get; set; }
    public DateOnly End { get; set; }
}

/// <summary>
/// The first stage's view of evaluation: each cycle as opened, and each published scorecard with its
/// appeals. A scorecard copies the cycle's period and method and the government's names.
/// </summary>
public sealed class ScorecardProjection : IFirstStageProjection
{
    public async Task ApplyAsync(IEvent e, FoldDocuments documents, FirstStageChanges changes, CancellationToken ct)
    {
        switch (e.Data)
        {
            case EvaluationCycleOpened c:
                documents.Save(c.CycleId, new EvaluationCycleEntry { Id = c.CycleId, Period = c.Period, MethodVersion = c.MethodVersion, Start = c.Start, End = c.End });
                break;
            case ScorecardPublished p:
            {
                var cycle = await documents.RequireAsync<EvaluationCycleEntry>(p.CycleId, e, ct);
                var government = await documents.RequireAsync<GovernmentCompliance>(p.GovernmentId, e, ct);
                var id = Scorecard.IdFor(p.CycleId, p.GovernmentId);
                var card = await documents.FindAsync<Scorecard>(id, ct) ?? new Scorecard { Id = id, CycleId = p.CycleId, GovernmentId = p.GovernmentId };
                Apply(card, p, cycle, government);
                documents.Save(id, card);
                break;
            }
            case ScoreAppealed a:
            {
                var card = await documents.RequireAsync<Scorecard>(Scorecard.IdFor(a.CycleId, a.GovernmentId), e, ct);
                Apply(card, a);
                documents.Save(card.Id, card);
                break;
            }
            case ScoreAppealDecided d:
            {
                var card = await documents.RequireAsync<Scorecard>(Scorecard.IdFor(d.CycleId, d.GovernmentId), e, ct);
                Apply(card, d);
                documents.Save(card.Id, card);
                break;
            }
        }
    }

    public static void Apply(Scorecard card, ScorecardPublished p, EvaluationCycleEntry cycle, GovernmentCompliance government)
    {
        card.Period = cycle.Period;
        card.MethodVersion = cycle.MethodVersion;
        card.GovernmentNameZh = government.NameZh;
        card.GovernmentNameEn = government.NameEn;
        card.Province = government.Province;
        card.Prefecture = government.Prefecture;
        card.Total = p.Total;
        card.Band = p.Band;
        card.Rank = p.Rank;
        card.Of = p.Of;
        card.Components = [.. p.Components];
        card.PublishedAt = p.PublishedAt;
    }

    public static void Apply(Scorecard card, ScoreAppealed a)
    {
        card.Appeals.Add(new ScoreAppealEntry { AppealId = a.AppealId, Grounds = a.Grounds, AppealedAt = a.AppealedAt });
        card.OpenAppeals = card.Appeals.Count(x => !x.Decided);
    }

    public static void Apply(Scorecard card, ScoreAppealDecided d)
    {
        if (card.Appeals.Find(x => x.AppealId == d.AppealId) is { } appeal)
        {
            appeal.Decided = true;
            appeal.Upheld = d.Upheld;
            appeal.RevisedTotal = d.RevisedTotal;
            appeal.Findings = d.Findings;
            appeal.DecidedAt = d.DecidedAt;
        }
        if (d.Upheld && d.RevisedTotal is { } revised)
        {
            card.RevisedTotal = revised;
            card.RevisedBand = SupervisionRules.BandOf(revised);
        }
        card.OpenAppeals = card.Appeals.Count(x => !x.Decided);
    }
}
