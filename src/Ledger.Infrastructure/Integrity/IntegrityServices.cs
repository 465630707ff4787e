using Ledger.Infrastructure.Store;
using Ledger.Integrity.Checkpoints;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Infrastructure.Integrity;

public static class IntegrityServices
{
    /// <summary>The Merkle log, its signing key and the worker that keeps it current.</summary>
    public static IServiceCollection AddLedgerIntegrity(this IServiceCollection services, IConfiguration configuration, LedgerSettings settings)
    {
        services.AddValidatedSettings<IntegrityOptions, IntegrityOptionsValidator>(IntegrityOptions.Section);
        // Read now, so that an origin or key name a checkpoint cannot carry refuses the start in one line.
        services.AddSingleton(IntegritySettings.From(configuration, settings.DataDirectory));
        services.AddSingleton(sp => sp.GetRequiredService<IntegritySettings>().CreateSigner());
        services.AddKeyedSingleton("ledger-integrity", (_, _) => NpgsqlDataSource.Create(settings.ConnectionString));
        services.AddSingleton(sp => new MerkleIntegrator(
            sp.GetRequiredKeyedService<NpgsqlDataSource>("ledger-integrity"), settings.Schema, sp.GetService<ILogger<MerkleIntegrator>>()));
        services.AddSingleton(sp => new LedgerIntegrity(
            sp.GetRequiredKeyedService<NpgsqlDataSource>("ledger-integrity"), settings.Schema,
            sp.GetRequiredService<CheckpointSigner>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<MerkleIntegrator>()));
        services.AddSingleton<IntegrityMonitor>();
        services.AddHostedService<IntegrityWorker>();
        var witnesses = WitnessSettings.From(configuration);
        services.AddSingleton(sp => new WitnessCosigning(witnesses, sp.GetRequiredService<LedgerIntegrity>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<IntegrityOptions>>().Value.WitnessTimeout, sp.GetRequiredService<ILogger<WitnessCosigning>>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddHostedService<WitnessWorker>();
        return services;
    }
}
