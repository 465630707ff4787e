using Ledger.Infrastructure.Identity;
using Ledger.Infrastructure.Store;
using Ledger.Infrastructure.Writing;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ledger.Infrastructure;

public static class LedgerServices
{
    /// <summary>The store, the write path, the clock and token settings, as the API and tools share them.</summary>
    public static IServiceCollection AddLedger(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = LedgerSettings.From(configuration);
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => TokenSettings.From(configuration, settings.DataDirectory));
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<LedgerWriter>();
        services.AddMarten(sp =>
            {
                var options = new StoreOptions();
                LedgerStore.Configure(options, settings.ConnectionString, settings.Schema, sp.GetRequiredService<TimeProvider>());
                return options;
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup();
        return services;
    }
}
