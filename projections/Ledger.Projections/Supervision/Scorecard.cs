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

/// <summary>What the scorecards need of an evaluation cycle, kept by the supervision projection itself. Id = the cycle id.</summary>
public sealed class EvaluationCycleEntry
{
    public string Id { get; set; } = "";
    public string Period { get; set; } = "";
    public string MethodVersion { get; set; } = "";
    public DateOnly Start { get; set; }
    public DateOnly End { get; set; }
}
