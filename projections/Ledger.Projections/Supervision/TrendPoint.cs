using JasperFx.Events;
using Ledger.Contracts;
using Ledger.Domain.Commitments;

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

/// <summary>
/// The quarterly counts for the zone, the government concerned and the agreement: what the first stage
/// changed says which commitment (and, for orders, which government) an event counts for.
/// </summary>
public sealed class TrendPointProjection : IRollUpProjection
{
    public async Task ApplyAsync(IEvent e, FoldDocuments documents, FirstStageChanges changes, CancellationToken ct)
    {
        if (changes.Standing is not { } s) return;
        switch (e.Data)
        {
            case ProgressReported p:
                await CountAsync(p.ReportedAt, s.LeadGovernmentId, t => t.Reports++);
                break;
            case VerificationCompleted v:
                await CountAsync(v.VerifiedAt, s.LeadGovernmentId, t => { if (v.Verdict == Verdict.Verified) t.VerificationsPassed++; else t.VerificationsFailed++; });
                break;
            case CommitmentAssessed a:
                var rag = CommitmentLifecycle.ColourOf(a.Confidence);
                await CountAsync(a.AssessedAt, s.LeadGovernmentId, t =>
                {
                    if (rag == Rag.Green) t.AssessedGreen++;
                    else if (rag == Rag.Amber) t.AssessedAmber++;
                    else t.AssessedRed++;
                });
                break;
            case RectificationOrdered o:
                await CountAsync(o.OrderedAt, o.GovernmentId, t => t.RectificationsOrdered++);
                break;
            case RectificationAccepted a when changes.Track is { } closed:
                await CountAsync(a.AcceptedAt, closed.GovernmentId, t => t.RectificationsClosed++);
                break;
            case CommitmentOverdue o:
                await CountAsync(o.NoticedAt, s.LeadGovernmentId, t => t.OverdueNotices++);
                break;
        }

        async Task CountAsync(DateTimeOffset at, string governmentId, Action<TrendPoint> count)
        {
            var period = SupervisionRules.Quarter(at);
            foreach (var (scope, key) in new[] { ("zone", TrendPoint.ZoneKey), ("government", governmentId), ("agreement", s.AgreementId) })
            {
                var id = TrendPoint.IdFor(scope, key, period);
                var point = await documents.FindAsync<TrendPoint>(id, ct) ?? new TrendPoint { Id = id, Scope = scope, Key = key, Period = period };
                count(point);
                documents.Save(id, point);
            }
        }
    }
}
