using System.Net;
using Ledger.Witness.Tests.Support;

namespace Ledger.Witness.Tests;

/// <summary>
/// tlog-witness: checking the old size and persisting the new checkpoint must be atomic, or two racing requests
/// roll the log back (A checked, B checked, B stored N+K, A stored N). Sixteen submissions at once, some stale.
/// </summary>
public sealed class RaceTests : IAsyncLifetime
{
    private const int Rounds = 3;
    private WitnessSetup _setup = null!;
    private WitnessProcess _witness = null!;
    private readonly List<TestLog> _logs = [.. Enumerable.Range(0, Rounds).Select(i => new TestLog($"log.test/race{i}", leaves: 64))];

    public async Task InitializeAsync()
    {
        _setup = await WitnessSetup.CreateAsync();
        _witness = await _setup.StartAsync(_logs.Select(l => l.LogArgument));
    }

    public async Task DisposeAsync()
    {
        await _setup.DisposeAsync();
        foreach (var log in _logs)
            log.Dispose();
    }

    [Fact]
    public async Task Sixteen_racing_submissions_never_roll_the_witness_back()
    {
        foreach (var log in _logs)
        {
            Assert.Equal(HttpStatusCode.OK, (await _witness.AddCheckpointAsync(log.Request(0, 8))).Status);
            // old ∈ {8, 16, 24, 32} (8 is current, the rest may become current mid-race), new = old + 8 … old + 32.
            var submissions = Enumerable.Range(0, 16).Select(i => (Old: 8L * (1 + (i % 4)), New: 8L * (1 + (i % 4)) + 8L * (1 + (i / 4)))).ToList();
            var bodies = submissions.Select(s => log.Request(s.Old, s.New)).ToList();
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racing = bodies.Select(async body =>
            {
                await start.Task;
                return await _witness.AddCheckpointAsync(body);
            }).ToList();
            start.SetResult();
            var answers = await Task.WhenAll(racing);

            Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, a.ToString()));
            var accepted = submissions.Zip(answers).Where(p => p.Second.Status == HttpStatusCode.OK).Select(p => p.First).ToList();
            Assert.NotEmpty(accepted);

            // What the witness committed, in order: a chain in which each step starts where the last one ended.
            var history = _setup.Rows("SELECT old_size, size FROM cosigned WHERE origin = $o ORDER BY id", ("$o", log.Origin))
                .Select(r => (Old: (long)r["old_size"], New: (long)r["size"])).ToList();
            Assert.Equal((0L, 8L), history[0]);
            for (var i = 1; i < history.Count; i++)
            {
                Assert.True(history[i].Old == history[i - 1].New, $"step {i} starts at {history[i].Old}, not at {history[i - 1].New}: {string.Join(", ", history)}");
                Assert.True(history[i].New > history[i - 1].New, $"sizes not strictly increasing: {string.Join(", ", history)}");
            }
            // Every 200 answered is one of those steps, and nothing else was committed.
            Assert.Equal(accepted.Order(), history.Skip(1).Order());

            // The witness holds the largest size it accepted; every 200 was for a size at or below it.
            var held = (long)_setup.Rows("SELECT size FROM checkpoints WHERE origin = $o", ("$o", log.Origin)).Single()["size"];
            Assert.Equal(accepted.Max(a => a.New), held);
            Assert.All(accepted, a => Assert.True(a.New <= held));
            Assert.Equal(held + "\n", (await _witness.AddCheckpointAsync(log.Request(0, 64))).Body);
            // Every 409 named a size the witness really held at some point.
            var heldSizes = history.Select(h => h.New).ToHashSet();
            Assert.All(answers.Where(a => a.Status == HttpStatusCode.Conflict), a => Assert.Contains(long.Parse(a.Body.TrimEnd('\n'), System.Globalization.CultureInfo.InvariantCulture), heldSizes));
        }
    }
}
