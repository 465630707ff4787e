using System.Net;
using Ledger.Integrity.Checkpoints;
using Ledger.Witness.Tests.Support;

namespace Ledger.Witness.Tests;

/// <summary>
/// The attacks a witness exists for: a log showing two histories (same origin, same key, diverging after N
/// leaves) and a log restored from an old backup presenting a smaller tree.
/// </summary>
public sealed class ForkAndRollbackTests : IAsyncLifetime
{
    private WitnessSetup _setup = null!;
    private WitnessProcess _witness = null!;
    private readonly TestLog _honest = new("log.test/split", leaves: 24);
    private TestLog _forked = null!;
    private readonly TestLog _restored = new("log.test/rollback", leaves: 20);

    public async Task InitializeAsync()
    {
        // The same origin and signing key, the first 8 leaves shared, then another history.
        _forked = _honest.Fork(8, "other", ownLeaves: 16);
        _setup = await WitnessSetup.CreateAsync();
        _witness = await _setup.StartAsync([_honest.LogArgument, _restored.LogArgument]);
    }

    public async Task DisposeAsync()
    {
        await _setup.DisposeAsync();
        _honest.Dispose();
        _forked.Dispose();
        _restored.Dispose();
    }

    [Fact]
    public async Task A_split_view_is_cosigned_on_one_side_only()
    {
        Assert.Equal(_honest.Root(8), _forked.Root(8));
        Assert.NotEqual(_honest.Root(16), _forked.Root(16));
        // Both sides are validly signed by the log's one key.
        Assert.True(CheckpointVerifier.Verify(_forked.SignedCheckpoint(16), _honest.Signer.Verifier).Valid);

        Assert.Equal(HttpStatusCode.OK, (await _witness.AddCheckpointAsync(_honest.Request(0, 8))).Status);
        Assert.Equal(HttpStatusCode.OK, (await _witness.AddCheckpointAsync(_honest.Request(8, 16))).Status);

        // The other side, however it asks:
        // from the shared prefix (stale: the witness holds 16) …
        var fromPrefix = await _witness.AddCheckpointAsync(_forked.Request(8, 16));
        Assert.Equal(HttpStatusCode.Conflict, fromPrefix.Status);
        Assert.Equal("16\n", fromPrefix.Body);
        // … from the held size, same size and another root …
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _witness.AddCheckpointAsync(_forked.Request(16, 16))).Status);
        // … from the held size to a bigger tree, with the only proof the fork can make.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _witness.AddCheckpointAsync(_forked.Request(16, 24))).Status);
        // … or pretending it never started.
        Assert.Equal(HttpStatusCode.Conflict, (await _witness.AddCheckpointAsync(_forked.Request(0, 20))).Status);

        // The witness still holds the honest side, which goes on being cosigned.
        var latest = await _witness.LatestCheckpointAsync(_honest.Origin);
        Assert.Equal(_honest.Checkpoint(16), CheckpointVerifier.Verify(latest.Body, _honest.Signer.Verifier).Checkpoint);
        Assert.Equal(HttpStatusCode.OK, (await _witness.AddCheckpointAsync(_honest.Request(16, 24))).Status);

        // The fork is on record: the two 422s, and the 409 that showed a second root for size 16.
        var refused = _setup.Rows("SELECT old_size, size, reason FROM refused WHERE origin = $o ORDER BY id", ("$o", _honest.Origin));
        Assert.Equal(new long[] { 16, 16, 24 }, refused.Select(r => (long)r["size"]));
        Assert.Contains("second root for size 16", (string)refused[0]["reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_restored_from_an_old_backup_is_refused()
    {
        Assert.Equal(HttpStatusCode.OK, (await _witness.AddCheckpointAsync(_restored.Request(0, 6))).Status);
        Assert.Equal(HttpStatusCode.OK, (await _witness.AddCheckpointAsync(_restored.Request(6, 15))).Status);

        // The restored log only knows size 6 and below, and says so …
        var asItRemembers = await _witness.AddCheckpointAsync(_restored.Request(6, 10));
        Assert.Equal(HttpStatusCode.Conflict, asItRemembers.Status);
        Assert.Equal("15\n", asItRemembers.Body);
        var fromZero = await _witness.AddCheckpointAsync(_restored.Request(0, 10));
        Assert.Equal(HttpStatusCode.Conflict, fromZero.Status);
        Assert.Equal("15\n", fromZero.Body);
        // … or learns the witness's size and presents its smaller tree from there: old above new.
        Assert.Equal(HttpStatusCode.BadRequest, (await _witness.AddCheckpointAsync(TestLog.Body(15, [], _restored.SignedCheckpoint(10)))).Status);

        var latest = await _witness.LatestCheckpointAsync(_restored.Origin);
        Assert.Equal(15, CheckpointVerifier.Verify(latest.Body, _restored.Signer.Verifier).Checkpoint!.TreeSize);
    }
}
