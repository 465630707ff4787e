using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Marten;
using Marten.Services;
using Npgsql;

namespace Ledger.Benchmarks.Rebuild;

/// <summary>
/// Where a rebuild's time goes, as Marten's sessions see it: every command and batch the projection's
/// sessions send, grouped by the first table each names (a batch by its commands' tables), with the
/// count and the time from send to answer. Installed only on the store of the untimed profile run.
/// </summary>
public sealed partial class RoundTrips : IMartenLogger
{
    private readonly ConcurrentDictionary<string, (long Count, long Ticks)> _kinds = new(StringComparer.Ordinal);

    public IMartenSessionLogger StartSession(IQuerySession session) => new Session(this);

    public void SchemaChange(string sql)
    {
    }

    public IReadOnlyList<(string Kind, long Count, double Ms)> Summary() =>
        [.. _kinds.Select(k => (k.Key, k.Value.Count, k.Value.Ticks * 1000.0 / Stopwatch.Frequency)).OrderByDescending(k => k.Item3)];

    private void Record(string kind, long ticks) =>
        _kinds.AddOrUpdate(kind, (1, ticks), (_, v) => (v.Count + 1, v.Ticks + ticks));

    private static string Kind(string sql)
    {
        var m = Table().Match(sql);
        var verb = sql.TrimStart().Split(' ', 2)[0].ToLowerInvariant();
        return m.Success ? $"{verb} {m.Groups[2].Value.Replace("\"", "", StringComparison.Ordinal).Split('.').Last()}" : verb;
    }

    [GeneratedRegex(@"\b(from|into|update)\s+([\w\.""]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Table();

    private sealed class Session(RoundTrips owner) : IMartenSessionLogger
    {
        private long _started;

        public void OnBeforeExecute(NpgsqlCommand command) => _started = Stopwatch.GetTimestamp();

        public void OnBeforeExecute(NpgsqlBatch batch) => _started = Stopwatch.GetTimestamp();

        public void LogSuccess(NpgsqlCommand command) => owner.Record("command: " + Kind(command.CommandText), Elapsed());

        public void LogSuccess(NpgsqlBatch batch) =>
            owner.Record("batch: " + string.Join(" + ", batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => Kind(c.CommandText)).Distinct().Order(StringComparer.Ordinal).Take(4)), Elapsed());

        public void LogFailure(NpgsqlCommand command, Exception ex)
        {
        }

        public void LogFailure(NpgsqlBatch batch, Exception ex)
        {
        }

        public void LogFailure(Exception ex, string message)
        {
        }

        public void RecordSavedChanges(IDocumentSession session, IChangeSet commit)
        {
        }

        private long Elapsed() => _started == 0 ? 0 : Stopwatch.GetTimestamp() - _started;
    }
}
