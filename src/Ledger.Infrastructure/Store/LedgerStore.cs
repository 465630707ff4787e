using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Ledger.Contracts;
using Ledger.Infrastructure.Writing;
using Ledger.Projections;
using Marten;
using Weasel.Core;

namespace Ledger.Infrastructure.Store;

/// <summary>The one place the event store is configured; the API, the command-line tool and the tests all use it.</summary>
public static class LedgerStore
{
    public static void Configure(StoreOptions opts, string connectionString, string schema, TimeProvider time)
    {
        opts.Connection(connectionString);
        opts.DatabaseSchemaName = schema;
        opts.Events.DatabaseSchemaName = schema;
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

        opts.Events.StreamIdentity = StreamIdentity.AsString;
        // Event timestamps come from the injected clock, so tests and the scenario control time. In
        // plain Quick mode appends to an existing stream take PostgreSQL's clock instead; this mode
        // (despite its name) stamps every event from the TimeProvider.
        opts.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
        opts.Events.TimeProvider = time;
        opts.Events.MetadataConfig.EnableAll();
        // EnableAll leaves user names off; the actor id is stored there.
        opts.Events.MetadataConfig.UserNameEnabled = true;

        foreach (var (type, name) in EventNames.All)
            opts.Events.MapEventType(type, name);

        opts.Projections.Add<CommitmentRecordProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<GovernmentViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<AgreementViewProjection>(ProjectionLifecycle.Inline);
        opts.Schema.For<IdempotencyRecord>().Identity(x => x.Id);

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
}
