using System.Net;
using Ledger.Integrity.Checkpoints;
using Ledger.Witness.Tests.Support;

namespace Ledger.Witness.Tests;

/// <summary>What a witness holds survives kill -9, and dying between its commit and its answer leaves it consistent.</summary>
public sealed class WitnessDurabilityTests : IAsyncLifetime
{
    private WitnessSetup _setup = null!;
    private readonly TestLog _log = new("log.test/durable", leaves: 30);

    public async Task InitializeAsync() => _setup = await WitnessSetup.CreateAsync();

    public async Task DisposeAsync()
    {
        await _setup.DisposeAsync();
        _log.Dispose();
    }

    [Fact]
    public async Task The_held_checkpoint_survives_kill_9_and_a_restart()
    {
        var first = await _setup.StartAsync([_log.LogArgument]);
        Assert.Equal(HttpStatusCode.OK, (await first.AddCheckpointAsync(_log.Request(0, 5))).Status);
        Assert.Equal(HttpStatusCode.OK, (await first.AddCheckpointAsync(_log.Request(5, 12))).Status);
        await first.KillAsync();

        var second = await _setup.StartAsync([_log.LogArgument]);
        var latest = await second.LatestCheckpointAsync(_log.Origin);
        Assert.Equal(HttpStatusCode.OK, latest.Status);
        Assert.Equal(_log.Checkpoint(12), CheckpointVerifier.Verify(latest.Body, _log.Signer.Verifier).Checkpoint);
        Assert.True(Cosignature.Verify(latest.Body, _setup.Verifier).Valid);

        var stale = await second.AddCheckpointAsync(_log.Request(0, 20));
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        Assert.Equal("12\n", stale.Body);
        Assert.Equal(HttpStatusCode.OK, (await second.AddCheckpointAsync(_log.Request(12, 20))).Status);
    }

    [Fact]
    public async Task A_witness_killed_after_its_commit_and_before_its_answer_holds_what_it_committed()
    {
        var faulty = await _setup.StartAsync([_log.LogArgument], new Dictionary<string, string> { ["LEDGER_WITNESS_FAULT"] = "exit-after-persist" });
        Assert.Contains("FAULT exit-after-persist", faulty.Output, StringComparison.Ordinal);
        // The connection drops: the client never sees a cosignature.
        await Assert.ThrowsAsync<HttpRequestException>(() => faulty.AddCheckpointAsync(_log.Request(0, 9)));
        Assert.NotEqual(0, await faulty.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        var restarted = await _setup.StartAsync([_log.LogArgument]);
        // The client retries the same request: the witness did persist size 9, and says so.
        var retry = await restarted.AddCheckpointAsync(_log.Request(0, 9));
        Assert.Equal(HttpStatusCode.Conflict, retry.Status);
        Assert.Equal("text/x.tlog.size", retry.MediaType);
        Assert.Equal("9\n", retry.Body);
        // From the size it learnt, the same checkpoint (equal size, same root) is cosigned.
        var again = await restarted.AddCheckpointAsync(_log.Request(9, 9));
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.True(Cosignature.Verify(_log.SignedCheckpoint(9) + again.Body, _setup.Verifier).Valid);
        Assert.Equal(new long[] { 9, 9 }, _setup.Rows("SELECT size FROM cosigned ORDER BY id").Select(r => (long)r["size"]));
    }
}
