using JasperFx.Events.Daemon;

namespace Ledger.Infrastructure.Daemon;

/// <summary>What <c>Ledger:Daemon</c> may say (case-insensitive).</summary>
public enum DaemonChoice
{
    /// <summary>Every node runs the daemon; one at a time holds the advisory lock and projects.</summary>
    HotCold,

    /// <summary>This process hosts no daemon: the serving nodes do.</summary>
    Disabled,
}

/// <summary>
/// "Ledger:Daemon": HotCold (the default: every node runs the daemon, one at a time holds the
/// advisory lock and projects) or Disabled (the scenario loader and short command-line verbs, which
/// must not take the lock from a serving node or leave work half-done when they exit). Disabled maps
/// to Marten's ExternallyManaged: this process hosts no daemon, the serving nodes do. Marten's own
/// Disabled would also print a warning on standard output, which a verb's output must not carry.
/// Read when the services are registered: it decides whether the daemon's services exist.
/// </summary>
public static class DaemonSetting
{
    public const string Key = "Ledger:Daemon";

    public static DaemonMode Mode(DaemonChoice choice) =>
        choice == DaemonChoice.Disabled ? DaemonMode.ExternallyManaged : DaemonMode.HotCold;
}
