using System.Net;
using Ledger.Api.Tests.Support;

namespace Ledger.Api.Tests;

public sealed class HappyPathTests(LedgerHost host) : IClassFixture<LedgerHost>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await PilotZone.RegisterGovernmentsAsync(host);
        await PilotZone.ActivateAgreementAsync(host);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_government_registers_a_commitment_and_reads_it_back_in_the_same_request_cycle()
    {
        var liuyang = host.Client("government", PilotZone.Liuyang);
        var response = await liuyang.PostJsonAsync("/api/commitments", PilotZone.WaterCommitment("happy-1"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/commitments/happy-1", response.Headers.Location?.OriginalString);
        // registered + contributor + two indicators + one milestone
        Assert.Equal("\"5\"", response.Headers.ETag?.Tag);

        var record = await (await host.Client("auditor").GetAsync("/api/commitments/happy-1")).ReadAsync();
        Assert.Equal("Draft", (string?)record["status"]);
        Assert.Equal(PilotZone.Liuyang, (string?)record["leadGovernmentId"]);
        Assert.Equal(2, record["indicators"]!.AsArray().Count);
    }
}
