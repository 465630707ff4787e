using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Daemon;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>
/// The daemon's shard stopped by a batch that had in fact committed (PostgreSQL ended the session under the
/// commit and the store sent the batch again) starts again from its stored position, and the views catch up.
/// </summary>
public sealed class ShardWatchdogTests(ShardWatchdogTests.Host host) : IClassFixture<ShardWatchdogTests.Host>
{
    public sealed class Host : LedgerHost
    {
        protected override void Customize(IWebHostBuilder builder) => builder.UseSetting("Projections:LeadershipPolling", "00:00:01");
    }

    [Fact]
    public async Task A_shard_stopped_by_a_progression_moved_under_it_starts_again_and_the_views_catch_up()
    {
        await PilotZone.RegisterGovernmentsAsync(host);
        await PilotZone.ActivateAgreementAsync(host);
        await PilotZone.ActiveCommitmentAsync(host, "watchdog-water");
        var freshness = host.Services.GetRequiredService<ProjectionFreshness>();
        var current = await freshness.WaitUntilCurrentAsync(TimeSpan.FromSeconds(60));

        // As if a batch over the next two events had committed on a session the daemon lost: the stored
        // position moves on while the daemon's own does not, so its next batch is refused as out of order.
        await TestDatabase.ExecuteAsync($"""
            update "{host.Schema}".mt_event_progression set last_seq_id = {current.StorePosition + 2} where name = '{ProjectionFreshness.ShardName}'
            """);
        var liuyang = host.Client("government", PilotZone.Liuyang);
        foreach (var n in new[] { 1, 2, 3, 4 })
            await liuyang.SendAsync(PilotZone.WaterReport("watchdog-water", $"after-{n}")).Ok();

        var caughtUp = await freshness.WaitUntilCurrentAsync(TimeSpan.FromSeconds(60));

        Assert.True(caughtUp.Position > current.StorePosition + 2);
        Assert.True(host.Services.GetRequiredService<ShardWatchdog>().Restarts >= 1);
    }
}
