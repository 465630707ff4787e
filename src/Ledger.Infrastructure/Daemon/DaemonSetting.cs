using JasperFx.Events.Daemon;
using Microsoft.Extensions.Configuration;

namespace Ledger.Infrastructure.Daemon;

/// <summary>
/// "Ledger:Daemon": HotCold (the default: every node runs the daemon, one at a time holds the
/// advisory lock and projects) or Disabled (the scenario loader and short command-line verbs, which
/// must not take the lock from a serving node or leave work half-done when they exit). Disabled maps
/// to Marten's ExternallyManaged: this process hosts no daemon, the serving nodes do. Marten's own
/// Disabled would also print a warning on standard output, which a verb's output must not carry.
/// </summary>
public static class DaemonSetting
{
    public const string Key = "Ledger:Daemon";

    public static DaemonMode From(IConfiguration configuration)
    {
        var value = configuration[Key];
        if (string.IsNullOrWhiteSpace(value) || value.Equals(nameof(DaemonMode.HotCold), StringComparison.OrdinalIgnoreCase))
            return DaemonMode.HotCold;
        if (value.Equals(nameof(DaemonMode.Disabled), StringComparison.OrdinalIgnoreCase))
            return DaemonMode.ExternallyManaged;
        throw new InvalidOperationException($"{Key} is '{value}'; it must be HotCold or Disabled.");
    }
}
