using Ledger.Api.Tests;
using Ledger.Infrastructure.Daemon;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// The pilot-zone scenario loaded once into one real host (Kestrel, PostgreSQL) for every console test
/// in the browser collection. Tests that write pick commitments and periods no other test writes.
/// </summary>
public sealed class ConsoleScenario : ScenarioTests.LoadedScenario
{
    /// <summary>The address Kestrel bound (a loopback port the system chose).</summary>
    public Uri Origin => new(Host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    /// <summary>Waits until the supervision views reflect every event appended so far.</summary>
    public Task WaitForViewsAsync() =>
        Host.Services.GetRequiredService<ProjectionFreshness>().WaitUntilCurrentAsync(TimeSpan.FromSeconds(90));
}
