using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace Ledger.Projections.Supervision;

/// <summary>
/// The supervisors' cross-stream views, run asynchronously by Marten's daemon as one shard. Each view has
/// its own projection beside its document (e.g. <see cref="CommitmentStandingProjection"/>); the roll-ups
/// form a second stage that reads what the first stage changed. A roll-up depends on many commitments,
/// so each batch loads the documents it touches, folds its events in sequence order in memory through
/// both stages (<see cref="SupervisionFold"/>) and stores what changed. The same fold replays the views
/// as they were (the audit's views as of a date), and <c>ledger rebuild</c> folds the whole log through it
/// outside the daemon (Ledger.Infrastructure's <c>SupervisionRebuild</c>), leaving the progression where the
/// daemon then carries on. What each view answers: ops/docs/supervision-views.md.
/// </summary>
public sealed class SupervisionProjection : IProjection
{
    public const string Name = "Supervision";

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var fold = new SupervisionFold(operations);
        await fold.PrefetchAsync(events, cancellation);
        foreach (var e in events)
            await fold.ApplyAsync(e, cancellation);
        fold.WriteTo(operations);
    }

    /// <summary>The daemon's batch on a node: how many events at most are folded and stored together.</summary>
    public const int BatchSize = 20_000;

    /// <summary>Registers the projection (async), with at most <see cref="BatchSize"/> events per daemon batch, and its documents with the columns supervisors filter and sort on (each view's <c>Index</c>, beside its sorts).</summary>
    public static void Register(StoreOptions opts)
    {
        opts.Projections.Add(new SupervisionProjection(), ProjectionLifecycle.Async, Name, async =>
        {
            // A rebuild by Marten's daemon must start from nothing: a custom projection declares no storage
            // of its own, so without these rules it would replay into the surviving documents.
            foreach (var type in SupervisionFold.DocumentTypes)
                async.DeleteViewTypeOnTeardown(type);
            // Events per daemon batch (Marten's default 500). Each batch reads and writes every document
            // its events touch once, so on catching up a commitment's standing and the roll-ups are written
            // once per batch they appear in: larger batches write them far fewer times. Live batches are
            // as small as the appends that arrive. `ledger rebuild` does not go through the daemon
            // (Ledger.Infrastructure's SupervisionRebuild).
            async.BatchSize = BatchSize;
        });

        CommitmentStandingQuery.Index(opts);
        GovernmentComplianceQuery.Index(opts);
        AgreementProgressQuery.Index(opts);
        AreaSummaryQuery.Index(opts);
        OverdueItemQuery.Index(opts);
        RectificationTrackQuery.Index(opts);
        ScorecardQuery.Index(opts);
        opts.Schema.For<EvaluationCycleEntry>().Identity(x => x.Id);
        TrendPointQuery.Index(opts);
    }
}
