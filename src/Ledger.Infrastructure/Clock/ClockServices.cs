using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure.Clock;

public static class ClockServices
{
    /// <summary>
    /// The clock's settings, its pass (which the scenario loader also runs directly) and this node's
    /// standing in the election; the background clock itself only where <c>Clock:Enabled</c> is true (read
    /// here already, as it decides whether the service exists).
    /// </summary>
    public static IServiceCollection AddLedgerClock(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedSettings<ClockSettings, ClockSettingsValidator>(ClockSettings.Section);
        services.AddSingleton(sp => new ClockLeadership(sp.GetRequiredService<IOptions<ClockSettings>>().Value.Enabled));
        services.AddSingleton<ClockPass>();
        if (ValidatedSettings.Read<ClockSettings, ClockSettingsValidator>(configuration, ClockSettings.Section).Enabled)
            services.AddHostedService<DeadlineClock>();
        return services;
    }
}
