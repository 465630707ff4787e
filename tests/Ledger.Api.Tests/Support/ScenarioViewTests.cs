using Ledger.Infrastructure.Daemon;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Support;

/// <summary>
/// Tests that read the loaded scenario's views. The daemon folds the scenario in the background, so
/// each test starts only once the views reflect every event the load appended.
/// </summary>
public abstract class ScenarioViewTests(ScenarioTests.LoadedScenario scenario) : IAsyncLifetime
{
    protected LedgerHost Host => scenario.Host;

    public async Task InitializeAsync() =>
        await Host.Services.GetRequiredService<ProjectionFreshness>().WaitUntilCurrentAsync(TimeSpan.FromSeconds(90));

    public Task DisposeAsync() => Task.CompletedTask;
}
