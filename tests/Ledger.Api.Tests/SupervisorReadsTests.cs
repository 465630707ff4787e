using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Daemon;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>
/// <c>Ledger:SupervisorReads=PreferStandby</c> on a PostgreSQL with no standby: the supervision views are answered
/// from the primary, say so, and hold what a node reading the primary holds. Reads on a real standby, and the fall
/// back to the primary when the standbys trail, are proven on the Patroni cluster (`./ops/ledger cluster test`).
/// </summary>
public sealed class SupervisorReadsTests(SupervisorReadsTests.PreferStandbyHost host) : IClassFixture<SupervisorReadsTests.PreferStandbyHost>
{
    public sealed class PreferStandbyHost : LedgerHost
    {
        protected override void Customize(IWebHostBuilder builder) => builder.UseSetting("Ledger:SupervisorReads", "PreferStandby");
    }

    [Fact]
    public async Task With_no_standby_the_views_are_read_on_the_primary_and_the_answer_says_so()
    {
        foreach (var r in PilotRequests.Governments())
        {
            using var created = await host.Client(r.Role, r.Government).PostAsJsonAsync(r.Path, r.Body);
            created.EnsureSuccessStatusCode();
        }
        await host.Services.GetRequiredService<ProjectionFreshness>().WaitUntilCurrentAsync(TimeSpan.FromSeconds(60));

        using var answer = await host.Client("supervisor").GetAsync("/api/supervision/governments?sort=governmentId");
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.IsSuccessStatusCode, body);
        var page = JsonNode.Parse(body)!;

        Assert.Equal("primary", (string?)page["freshness"]!["readFrom"]);
        Assert.Equal(0, (long)page["freshness"]!["eventsBehind"]!);
        Assert.Equal(
            PilotRequests.Governments().Select(r => (string?)JsonSerializer.SerializeToNode(r.Body)!["governmentId"]).Order(StringComparer.Ordinal),
            page["items"]!.AsArray().Select(g => (string?)g!["governmentId"]));
    }
}
