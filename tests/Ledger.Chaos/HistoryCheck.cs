using Npgsql;

namespace Ledger.Chaos;

/// <summary>
/// The whole history against what the clients were told (the list-append model of a stream): every
/// acknowledged report or assessment is in its stream exactly once; a refused one never; one whose outcome stayed unknown
/// at most once; and each stream's versions run 1..n with no gap or repeat.
/// </summary>
public sealed record HistoryCheck(int Lost, int Duplicated, int RefusedButPresent, int UnknownPresentTwice, int StreamsWithGaps, long Events, IReadOnlyList<string> Problems)
{
    /// <summary>The report ids found lost or duplicated, with which.</summary>
    public IReadOnlyDictionary<string, string> Verdicts { get; init; } = new Dictionary<string, string>();

    public bool Passed => Lost == 0 && Duplicated == 0 && RefusedButPresent == 0 && UnknownPresentTwice == 0 && StreamsWithGaps == 0;

    public static async Task<HistoryCheck> RunAsync(string connectionString, string schema, IReadOnlyList<string> commitments, IEnumerable<Operation> operations)
    {
        var streams = commitments.Select(c => "commitment/" + c).ToArray();
        var counts = new Dictionary<(string Stream, string ReportId), int>();
        var versions = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                $"select stream_id, version, type, coalesce(data->>'reportId', data->>'assessmentId') from \"{schema}\".mt_events where stream_id = any(@streams) order by stream_id, version",
                connection);
            command.Parameters.AddWithValue("streams", streams);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var stream = reader.GetString(0);
                if (!versions.TryGetValue(stream, out var list)) versions[stream] = list = [];
                list.Add(reader.GetInt64(1));
                if (reader.GetString(2) is "progress_reported.v1" or "commitment_assessed.v1" && !reader.IsDBNull(3))
                {
                    var key = (stream, reader.GetString(3));
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        }

        var problems = new List<string>();
        var verdicts = new Dictionary<string, string>(StringComparer.Ordinal);
        int lost = 0, duplicated = 0, refusedPresent = 0, unknownTwice = 0;
        foreach (var op in operations)
        {
            var found = counts.GetValueOrDefault(("commitment/" + op.Stream, op.ReportId));
            switch (op.Outcome)
            {
                case "acknowledged" when found == 0:
                    lost++;
                    verdicts[op.ReportId] = "lost";
                    problems.Add($"lost: {op.ReportId} on {op.Stream} was acknowledged and is not in the ledger");
                    break;
                case "acknowledged" when found > 1:
                    duplicated++;
                    verdicts[op.ReportId] = "duplicated";
                    problems.Add($"duplicated: {op.ReportId} on {op.Stream} is in the ledger {found} times");
                    break;
                case "refused" when found > 0:
                    refusedPresent++;
                    problems.Add($"refused but present: {op.ReportId} on {op.Stream}");
                    break;
                case "unresolved" when found > 1:
                    unknownTwice++;
                    problems.Add($"unresolved and present {found} times: {op.ReportId} on {op.Stream}");
                    break;
            }
        }
        var gaps = 0;
        foreach (var (stream, list) in versions)
        {
            if (!list.SequenceEqual(Enumerable.Range(1, list.Count).Select(v => (long)v)))
            {
                gaps++;
                problems.Add($"versions of {stream} do not run 1..{list.Count}");
            }
        }
        return new HistoryCheck(lost, duplicated, refusedPresent, unknownTwice, gaps, versions.Values.Sum(v => (long)v.Count), problems)
        {
            Verdicts = verdicts,
        };
    }
}
