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
/// as they were (the audit's views as of a date). What each view answers: ops/docs/supervision-views.md.
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

    /// <summary>
    /// The batch of a rebuild run by <c>ledger rebuild</c>, while no node serves the views: a rebuild of a
    /// million events took 174 s with 20,000 (peak RSS 372 MB) and 51–55 s with 100,000 (514–530 MB).
    /// </summary>
    public const int RebuildBatchSize = 100_000;

    /// <summary>Registers the projection (async), with at most <paramref name="batchSize"/> events per daemon batch, and its documents with the columns supervisors filter and sort on (each view's <c>Index</c>, beside its sorts).</summary>
    public static void Register(StoreOptions opts, int batchSize = BatchSize)
    {
        opts.Projections.Add(new SupervisionProjection(), ProjectionLifecycle.Async, Name, async =>
        {
            // A rebuild must start from nothing: a custom projection declares no storage of its own,
            // so without these rules a rebuild would replay into the surviving documents.
            foreach (var type in SupervisionFold.DocumentTypes)
                async.DeleteViewTypeOnTeardown(type);
            // Events per daemon batch (Marten's default 500). Each batch reads and writes every document
            // its events touch once, so on a rebuild a commitment's standing and the roll-ups are written
            // once per batch they appear in: larger batches write them far fewer times. Live batches are
            // as small as the appends that arrive.
            async.BatchSize = batchSize;
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
