using Ledger.Contracts;

namespace Ledger.Projections.Supervision;

/// <summary>
/// What one commitment adds to a roll-up. A roll-up changes by (contribution after − contribution
/// before) of the commitment an event touched, in whole numbers, so the totals are the same however
/// the events were grouped into batches.
/// </summary>
public readonly record struct Contribution(
    int Commitments,
    int Draft, int Active, int FulfilmentClaimed, int Fulfilled, int Suspended, int Withdrawn,
    int Supervised, int Green, int Amber, int Red, int NotAssessed,
    int WeightTotal, int WeightedThirds,
    int OverdueItems, int OverdueCommitments, int OpenRectifications,
    int ItemsDue, int ItemsOnTime)
{
    public static Contribution Of(CommitmentStanding? s)
    {
        if (s is null) return default;
        var supervised = StandingStatus.IsSupervised(s.Status);
        int Is(bool b) => b ? 1 : 0;
        return new Contribution(
            1,
            Is(s.Status == StandingStatus.Draft), Is(s.Status == StandingStatus.Active), Is(s.Status == StandingStatus.FulfilmentClaimed),
            Is(s.Status == StandingStatus.Fulfilled), Is(s.Status == StandingStatus.Suspended), Is(s.Status == StandingStatus.Withdrawn),
            Is(supervised),
            Is(supervised && s.Rag == Rag.Green), Is(supervised && s.Rag == Rag.Amber), Is(supervised && s.Rag == Rag.Red), Is(supervised && s.Rag == Rag.NotAssessed),
            supervised ? s.Weight : 0, supervised ? s.Weight * s.ProgressThirds : 0,
            s.OverdueItems, Is(s.OverdueItems > 0), s.OpenRectifications,
            s.ItemsDue, s.ItemsOnTime);
    }
}

/// <summary>The roll-up an agreement, a task area, a province or a prefecture shares.</summary>
public abstract class RollUpTotals
{
    public int Commitments { get; set; }
    public int Draft { get; set; }
    public int Active { get; set; }
    public int FulfilmentClaimed { get; set; }
    public int Fulfilled { get; set; }
    public int Suspended { get; set; }
    public int Withdrawn { get; set; }
    /// <summary>Active, claimed, fulfilled or suspended: the commitments progress and colour are counted over.</summary>
    public int Supervised { get; set; }
    public int Green { get; set; }
    public int Amber { get; set; }
    public int Red { get; set; }
    public int NotAssessed { get; set; }
    public int OverdueItems { get; set; }
    public int OverdueCommitments { get; set; }
    public int OpenRectifications { get; set; }
    public int ItemsDue { get; set; }
    public int ItemsOnTime { get; set; }
    /// <summary>On-time items ÷ items fallen due, null while nothing has fallen due.</summary>
    public decimal? OnTimeRate { get; set; }
    public int WeightTotal { get; set; }
    /// <summary>Σ weight × progress in thirds; progress = this ÷ (3 × WeightTotal).</summary>
    public int WeightedThirds { get; set; }
    /// <summary>Σ weight·progress ÷ Σ weight over supervised commitments (0..1, four places).</summary>
    public decimal Progress { get; set; }

    public void Add(Contribution c, int sign)
    {
        Commitments += sign * c.Commitments;
        Draft += sign * c.Draft;
        Active += sign * c.Active;
        FulfilmentClaimed += sign * c.FulfilmentClaimed;
        Fulfilled += sign * c.Fulfilled;
        Suspended += sign * c.Suspended;
        Withdrawn += sign * c.Withdrawn;
        Supervised += sign * c.Supervised;
        Green += sign * c.Green;
        Amber += sign * c.Amber;
        Red += sign * c.Red;
        NotAssessed += sign * c.NotAssessed;
        OverdueItems += sign * c.OverdueItems;
        OverdueCommitments += sign * c.OverdueCommitments;
        OpenRectifications += sign * c.OpenRectifications;
        ItemsDue += sign * c.ItemsDue;
        ItemsOnTime += sign * c.ItemsOnTime;
        WeightTotal += sign * c.WeightTotal;
        WeightedThirds += sign * c.WeightedThirds;
        Progress = SupervisionRules.Ratio(WeightedThirds, 3L * WeightTotal);
        OnTimeRate = ItemsDue == 0 ? null : SupervisionRules.Ratio(ItemsOnTime, ItemsDue);
    }
}
