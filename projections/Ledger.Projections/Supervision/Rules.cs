using Ledger.Contracts;
using Ledger.Domain.Commitments;

namespace Ledger.Projections.Supervision;

/// <summary>The commitment statuses as the views store them (the same names the commitment record uses).</summary>
public static class StandingStatus
{
    public const string Draft = "Draft";
    public const string Active = "Active";
    public const string FulfilmentClaimed = "FulfilmentClaimed";
    public const string Fulfilled = "Fulfilled";
    public const string Suspended = "Suspended";
    public const string Withdrawn = "Withdrawn";

    /// <summary>Accepted into supervision and still owed or delivered: these count in progress and colour roll-ups.</summary>
    public static bool IsSupervised(string status) => status is Active or FulfilmentClaimed or Fulfilled or Suspended;
}

/// <summary>The fixed rules the supervision views are computed by (ops/docs/supervision-views.md states each one).</summary>
public static class SupervisionRules
{
    /// <summary>The pilot zone keeps China Standard Time: dates and quarters are taken at UTC+8 (the domain's <see cref="Zone"/>).</summary>
    public static TimeSpan ZoneOffset => Zone.Offset;

    public static DateOnly ZoneDate(DateTimeOffset at) => Zone.Date(at);

    /// <summary>The calendar quarter of a moment at UTC+8, e.g. "2024-Q2".</summary>
    public static string Quarter(DateTimeOffset at)
    {
        var local = at.ToOffset(ZoneOffset);
        return $"{local.Year:D4}-Q{(local.Month - 1) / 3 + 1}";
    }

    public static int Weight(ResultType type) => type switch
    {
        ResultType.Output => 1,
        ResultType.Outcome => 2,
        ResultType.Impact => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown result type"),
    };

    /// <summary>Scorecard bands: excellent ≥ 90, good 75–89, pass 60–74, fail &lt; 60.</summary>
    public static Band BandOf(decimal total) => total switch
    {
        >= 90 => Band.Excellent,
        >= 75 => Band.Good,
        >= 60 => Band.Pass,
        _ => Band.Fail,
    };

    /// <summary>A ratio rounded to four places (half to even), or 0 when nothing is counted.</summary>
    public static decimal Ratio(long numerator, long denominator) =>
        denominator == 0 ? 0m : Math.Round((decimal)numerator / denominator, 4, MidpointRounding.ToEven);
}
