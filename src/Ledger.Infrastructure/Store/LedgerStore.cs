using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Ledger.Contracts;
using Ledger.Infrastructure.Writing;
using Ledger.Projections;
using Ledger.Projections.Supervision;
using Marten;
using Weasel.Core;

namespace Ledger.Infrastructure.Store;

/// <summary>The one place the event store is configured; the API, the command-line tool and the tests all use it.</summary>
public static class LedgerStore
{
    /// <summary>The ledger's store on <paramref name="schema"/>.</summary>
    public static void Configure(StoreOptions opts, string connectionString, string schema, TimeProvider time)
    {
        opts.Connection(connectionString);
        // Marten's default resilience is kept for reads: they are retried on NpgsqlException (a stale
        // pooled connection after a database restart fails once, Npgsql clears the pool, the retry gets a
        // fresh connection; RecoveryTests). Commits are replayed by the write path itself, on a new
        // transaction and only when PostgreSQL reported a rollback (GroupCommit.WriteAsync): it commits on
        // a transaction of its own, which Marten's replay could not begin again. Never after a broken
        // connection, whose commit may have landed (marten issue 5262).
        opts.ConfigureWritePolly(_ => { });
        opts.DatabaseSchemaName = schema;
        opts.Events.DatabaseSchemaName = schema;
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

        opts.Events.StreamIdentity = StreamIdentity.AsString;
        // Event timestamps come from the injected clock, so tests and the scenario control time. In
        // plain Quick mode appends to an existing stream take PostgreSQL's clock instead; this mode
        // (despite its name) stamps every event from the TimeProvider.
        opts.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
        opts.Events.TimeProvider = new MicrosecondTime(time);
        opts.Events.MetadataConfig.EnableAll();
        // EnableAll leaves user names off; the actor id is stored there.
        opts.Events.MetadataConfig.UserNameEnabled = true;

        foreach (var (type, name) in EventNames.All)
            opts.Events.MapEventType(type, name);
        // Events stored under a retired name keep their bytes; they are read as the current shape.
        foreach (var retired in EventNames.RetiredNames)
            RegisterUpcast.MakeGenericMethod(retired.StoredType, retired.CurrentType).Invoke(null, [opts, retired]);

        opts.Projections.Add<CommitmentRecordProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<ProgressReportRecordProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<CommitmentActRecordProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<GovernmentViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<AgreementViewProjection>(ProjectionLifecycle.Inline);
        // The columns the lists filter and sort on (GET /api/governments, /agreements, /commitments).
        GovernmentViewQuery.Index(opts);
        AgreementViewQuery.Index(opts);
        CommitmentRecordQuery.Index(opts);
        // The supervisors' cross-stream views, on the async daemon (ops/docs/supervision-views.md).
        SupervisionProjection.Register(opts);
        // Sequence gaps: a hole left by a rolled-back append is skipped once it has stood this long
        // AND PostgreSQL shows no transaction that could still fill it (pg_locks, pg_stat_activity,
        // the snapshot's in-progress list); a slow append that is still running is waited for, never
        // skipped. No cap: a leaked open transaction stalls the views (and says so in the log) rather
        // than losing events; idle_in_transaction_session_timeout is the backstop.
        opts.Projections.StaleSequenceThreshold = TimeSpan.FromSeconds(3);
        opts.Projections.UseTransactionEvidenceForGapSkipping = true;
        opts.Projections.SkipStaleGapsDespiteLiveTransactionsAfter = null;
        // A store built here hosts no daemon: the API's nodes run it (LedgerServices, HotCold), and a
        // tool or test starts one explicitly. See DaemonSetting for why not Marten's Disabled.
        opts.Projections.AsyncMode = DaemonMode.ExternallyManaged;
        // A column of its own (indexed) for RecordedAt: the periodic purge deletes by it.
        opts.Schema.For<IdempotencyRecord>().Identity(x => x.Id).Duplicate(x => x.RecordedAt);

        // Projections fail loudly: no event is ever skipped, rebuilds included.
        opts.Projections.Errors.SkipApplyErrors = false;
        opts.Projections.Errors.SkipSerializationErrors = false;
        opts.Projections.Errors.SkipUnknownEvents = false;
        opts.Projections.RebuildErrors.SkipApplyErrors = false;
        opts.Projections.RebuildErrors.SkipSerializationErrors = false;
        opts.Projections.RebuildErrors.SkipUnknownEvents = false;
    }

    public static DocumentStore Create(string connectionString, string schema, TimeProvider time) =>
        DocumentStore.For(opts => Configure(opts, connectionString, schema, time));

    private static readonly System.Reflection.MethodInfo RegisterUpcast =
        typeof(LedgerStore).GetMethod(nameof(Upcast), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

    private static void Upcast<TOld, TNew>(StoreOptions opts, EventNames.Retired retired) where TOld : class where TNew : class =>
        opts.Events.Upcast<TOld, TNew>(retired.Name, old => (TNew)retired.Upcast(old));

    /// <summary>
    /// The clock events are stamped by, truncated to the microsecond PostgreSQL keeps: what an inline
    /// projection reads at append time is then what a rebuild reads back from the row (with a finer
    /// clock, every record's times differed from its rebuild in the seventh decimal).
    /// </summary>
    private sealed class MicrosecondTime(TimeProvider inner) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow()
        {
            var now = inner.GetUtcNow();
            return now.AddTicks(-(now.UtcTicks % (TimeSpan.TicksPerMillisecond / 1000)));
        }

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(callback, state, dueTime, period);
    }
}
