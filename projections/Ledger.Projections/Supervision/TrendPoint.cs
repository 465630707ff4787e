namespace Ledger.Projections.Supervision;

/// <summary>
/// What happened in one calendar quarter (at UTC+8) for the whole zone, one government or one
/// agreement. Id "{scope}/{key}/{period}", e.g. "zone/all/2024-Q2", "government/430181/2024-Q2".
/// </summary>
public sealed class TrendPoint
{
    public string Id { get; set; } = "";
    /// <summary>zone, government or agreement.</summary>
    public string Scope { get; set; } = "";
    public string Key { get; set; } = "";
    /// <summary>"2024-Q2": sorts in time order as text.</summary>
    public string Period { get; set; } = "";
    public int Reports { get; set; }
    public int OverdueNotices { get; set; }
    public int RectificationsOrdered { get; set; }
    public int RectificationsClosed { get; set; }
    public int VerificationsPassed { get; set; }
    public int VerificationsFailed { get; set; }
    public int AssessedGreen { get; set; }
    public int AssessedAmber { get; set; }
    public int AssessedRed { get; set; }

    public const string ZoneKey = "all";

    public static string IdFor(string scope, string key, string period) => $"{scope}/{key}/{period}";
}
