using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Infrastructure.Clock;

public static class ClockServices
{
    /// <summary>
    /// The clock's settings, its pass (which the scenario loader also runs directly) and this node's
    /// standing in the election; the background clock itself only where <c>Clock:Enabled</c> is true.
    /// </summary>
    public static IServiceCollection AddLedgerClock(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = ClockSettings.From(configuration);
        services.AddSingleton(settings);
        services.AddSingleton(new ClockLeadership(settings.Enabled));
        services.AddSingleton<ClockPass>();
        if (settings.Enabled) services.AddHostedService<DeadlineClock>();
        return services;
    }
}
