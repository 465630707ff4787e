using Ledger.Api.Tests;
using Ledger.Api.Tests.Support;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// The pilot-zone scenario in a host of its own whose console signs people in through a real OpenID
/// Connect provider (<see cref="IdentityProvider"/>, started first); the provider knows the console's
/// callbacks on the port the host bound. Nothing else writes to this host.
/// </summary>
public sealed class ProviderConsoleScenario : ScenarioTests.LoadedScenario
{
    public ProviderConsoleScenario() : this(new IdentityProvider())
    {
    }

    private ProviderConsoleScenario(IdentityProvider provider) : base(new ProviderLedgerHost(provider)) => Provider = provider;

    public IdentityProvider Provider { get; }

    public ProviderLedgerHost ProviderHost => (ProviderLedgerHost)Host;

    /// <summary>The address Kestrel bound (a loopback port the system chose).</summary>
    public Uri Origin => ProviderHost.Origin;

    public override async Task InitializeAsync()
    {
        await Provider.StartAsync();
        await base.InitializeAsync();
        ProviderHost.RegisterCallbacks();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Provider.DisposeAsync();
    }
}
