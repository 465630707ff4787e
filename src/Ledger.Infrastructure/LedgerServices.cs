using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Accounts;
using Ledger.Infrastructure.Clock;
using Ledger.Infrastructure.Daemon;
using Ledger.Infrastructure.Identity;
using Ledger.Infrastructure.Integrity;
using Ledger.Infrastructure.Resilience;
using Ledger.Infrastructure.Store;
using Ledger.Infrastructure.Telemetry;
using Ledger.Infrastructure.Writing;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Infrastructure;

public static class LedgerServices
{
    /// <summary>
    /// The store, the write path, the clock and token settings, as the API and tools share them. Each settings
    /// section is bound as options and checked when the host starts; the connection strings, section
    /// <c>Ledger</c> and the two switches <c>Clock:Enabled</c> and <c>ViewSnapshots:Enabled</c> are read (and
    /// checked) here already, because they decide which database, daemon and background services there are.
    /// </summary>
    public static IServiceCollection AddLedger(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = LedgerSettings.From(configuration);
        services.AddSingleton(settings);
        services.AddValidatedSettings<ProjectionSettings, ProjectionSettingsValidator>(ProjectionSettings.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedSettings<AuthSettings, AuthSettingsValidator>(AuthSettings.Section);
        services.AddSingleton(sp => TokenSettings.From(sp.GetRequiredService<IOptions<AuthSettings>>().Value, settings.DataDirectory) with { Zone = settings.Zone });
        services.AddSingleton<TokenIssuer>();
        services.AddValidatedSettings<IdempotencySettings, IdempotencySettingsValidator>(IdempotencySettings.Section);
        services.AddValidatedSettings<WriteSettings, WriteSettingsValidator>(WriteSettings.Section);
        services.AddSingleton<LedgerWriter>();
        // Before AddMarten: its hosted service applies the schema at start, which needs PostgreSQL up.
        services.AddStartupResilience(configuration);
        // Hosted services start in the order they are added: the zone is checked (once PostgreSQL answers) before the
        // daemon, the clock or the Merkle worker touch the database.
        services.AddHostedService<Zones.ZoneGuard>();
        services.AddMarten(sp =>
            {
                var options = new StoreOptions();
                // Named after this node, so the daemon's lock session says whose it is (ShardWatchdog reads it).
                LedgerStore.Configure(options, NodeIdentity.Named(settings.ConnectionString, sp.GetRequiredService<ClockLeadership>().NodeId), settings.Schema, sp.GetRequiredService<TimeProvider>());
                // How often a standby node tries for the daemon's shard lock, so how soon it takes over from a stopped one.
                options.Projections.LeadershipPollingTime = (int)sp.GetRequiredService<IOptions<ProjectionSettings>>().Value.LeadershipPolling.TotalMilliseconds;
                return options;
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            .AddAsyncDaemon(settings.Daemon);
        services.AddStoreLog();
        services.AddSingleton<ProjectionFreshness>();
        services.AddSingleton<SupervisorReads>();
        services.AddSingleton<ProjectionMonitor>();
        services.AddHostedService<ProjectionGauges>();
        services.AddSingleton<ShardWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<ShardWatchdog>());
        // After Marten, so that its schema (mt_events) exists when the integrity schema is applied.
        services.AddLedgerIntegrity(configuration, settings);
        services.AddHostedService<IdempotencyCleanup>();
        services.AddValidatedSettings<ViewSnapshotSettings, ViewSnapshotSettingsValidator>(ViewSnapshotSettings.Section);
        if (ValidatedSettings.Read<ViewSnapshotSettings, ViewSnapshotSettingsValidator>(configuration, ViewSnapshotSettings.Section).Enabled)
            services.AddHostedService<ViewSnapshotter>();
        services.AddSingleton(sp => new AccountBook(sp.GetRequiredService<LedgerWriter>(), sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredKeyedService<NpgsqlDataSource>("ledger-integrity"), settings.Schema, sp.GetRequiredService<TimeProvider>()));
        services.AddKeyedSingleton("ledger-evidence", (_, _) => Npgsql.NpgsqlDataSource.Create(settings.ConnectionString));
        services.AddSingleton(sp => new Evidence.EvidenceFiles(sp.GetRequiredKeyedService<Npgsql.NpgsqlDataSource>("ledger-evidence"), settings.Schema));
        // The master table of zones and the national overview read from it (Zones/ZoneRegistry).
        services.AddSingleton(sp => new Zones.ZoneRegistry(Zones.ZoneRegistry.ConnectionStringFrom(configuration, settings.ConnectionString),
            settings.Schema, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Zones.NationalOverview>();
        // After Marten: the clock's first pass reads the schema that Marten applies at start.
        services.AddLedgerClock(configuration);
        return services;
    }
}
