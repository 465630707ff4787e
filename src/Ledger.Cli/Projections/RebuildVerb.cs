using System.CommandLine;
using System.Diagnostics;
using JasperFx.Events.Projections;
using Ledger.Infrastructure.Daemon;
using Ledger.Infrastructure.Store;
using Ledger.Projections.Supervision;
using Marten;
using Npgsql;

namespace Ledger.Cli.Projections;

/// <summary>
/// <c>ledger rebuild [projection]</c>: replays every event through an async projection and replaces its
/// documents. The supervision views are folded in memory and written in one transaction
/// (<see cref="SupervisionRebuild"/>): they show their old rows until it commits, then the new ones; any
/// other async projection goes through Marten's daemon rebuild, its documents empty until it finishes.
/// <c>records</c> rewrites each commitment's inline record from its stream. Run it while no node's daemon
/// runs the projection: a node that moves its progression meanwhile is overwritten by the rebuild's.
/// </summary>
public static class RebuildVerb
{
    public static Command Command()
    {
        var name = new Argument<string?>("projection") { Description = $"the projection to rebuild: {Records} or an async one (default: every one)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("rebuild", "Rebuild the commitment records and the async projections from the whole event log, with progress; prints what was rebuilt and the time taken.") { name };
        command.SetAction(async (parse, ct) =>
        {
            var settings = LedgerSettings.From(Verbs.Configuration());
            // As the schema's owner: a rebuild tears views down and may apply Marten's schema first.
            await using var store = LedgerStore.Create(settings.OwnerConnectionString, settings.Schema, TimeProvider.System);
            IReadOnlyList<string> known = [Records, .. AsyncProjections(store)];
            var requested = parse.GetValue(name);
            IReadOnlyList<string> chosen = requested is null ? known : [Match(requested, known)];
            try
            {
                await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
                foreach (var projection in chosen)
                {
                    if (projection == Records) await RebuildRecordsAsync(store, settings.Schema, staleOnly: false, ct);
                    else await RebuildAsync(store, settings.Schema, projection, ct);
                }
            }
            catch (NpgsqlException ex)
            {
                throw new CliFailure($"cannot reach the ledger's database ({ex.Message}); is PostgreSQL running? ./ops/ledger up starts the private cluster");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The inline commitment records' name on the command line.</summary>
    public const string Records = "records";

    /// <summary>Rewrites the commitment records and their report documents from their streams (with <paramref name="staleOnly"/>, those of an older shape).</summary>
    internal static async Task RebuildRecordsAsync(DocumentStore store, string schema, bool staleOnly, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var written = await Progress.RunAsync($"rebuild {Records}", report => ReadModelUpgrade.RebuildRecordsAsync(store, schema, staleOnly,
            new Progress<(int Done, int Total)>(p => report(p.Done, p.Total)), ct));
        Console.WriteLine($"rebuilt {Records}: {written} commitment records in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    internal static IReadOnlyList<string> AsyncProjections(DocumentStore store) =>
        [.. store.Options.Projections.All.Where(p => p.Lifecycle == ProjectionLifecycle.Async).Select(p => p.Name).Order(StringComparer.Ordinal)];

    private static string Match(string requested, IReadOnlyList<string> known) =>
        known.FirstOrDefault(k => k.Equals(requested, StringComparison.OrdinalIgnoreCase))
        ?? throw new CliFailure($"unknown projection '{requested}'; known: {string.Join(", ", known)}", 2);

    internal static async Task RebuildAsync(DocumentStore store, string schema, string projection, CancellationToken ct)
    {
        if (projection == SupervisionProjection.Name)
        {
            await RebuildSupervisionAsync(store, ct);
            return;
        }
        var (total, top) = await CountEventsAsync(store, schema, ct);
        var clock = Stopwatch.StartNew();
        using var daemon = await store.BuildProjectionDaemonAsync();
        var reached = new ReachedSequence(projection);
        await Progress.RunAsync($"rebuild {projection}", async report =>
        {
            using (daemon.Tracker.Subscribe(reached))
            {
                var rebuild = daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(10), ct);
                while (!rebuild.IsCompleted)
                {
                    report(Fraction(reached.Sequence, top, total), Clamp(total));
                    await Task.WhenAny(rebuild, Task.Delay(200, ct));
                }
                await rebuild;
            }
            report(Clamp(total), Clamp(total));
        });
        Console.WriteLine($"rebuilt {projection}: {total} events in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>The supervision views by their own rebuild: read raw, folded in memory, written by COPY in one transaction.</summary>
    private static async Task RebuildSupervisionAsync(DocumentStore store, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var outcome = await Progress.RunAsync($"rebuild {SupervisionProjection.Name}", report =>
            SupervisionRebuild.RunAsync(store, (done, of) => report(Clamp(done), Clamp(of)), ct));
        Console.WriteLine($"rebuilt {SupervisionProjection.Name}: {outcome.Events} events in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<(long Count, long Top)> CountEventsAsync(DocumentStore store, string schema, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select count(*), coalesce(max(seq_id), 0) from \"{schema}\".mt_events", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    // The tracker reports sequence numbers; the bar counts events, scaled by how far through the sequence the rebuild is.
    private static int Fraction(long sequence, long top, long total) =>
        top == 0 ? 0 : Clamp((long)(Math.Min(sequence, top) / (double)top * total));

    private static int Clamp(long value) => (int)Math.Min(value, int.MaxValue);

    private sealed class ReachedSequence(string projection) : IObserver<ShardState>
    {
        private long _sequence;

        public long Sequence => Interlocked.Read(ref _sequence);

        public void OnNext(ShardState value)
        {
            if (value.ShardName.StartsWith(projection + ":", StringComparison.Ordinal) && value.Sequence > Sequence)
                Interlocked.Exchange(ref _sequence, value.Sequence);
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
