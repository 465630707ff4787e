using System.Text;
using System.Text.Json;
using Ledger.Benchmarks.Integrity;
using Ledger.Benchmarks.Reporting;
using Ledger.Contracts;
using Ledger.Projections.Supervision;
using Marten;
using Marten.Linq.MatchesSql;
using Npgsql;

namespace Ledger.Benchmarks.Queries;

/// <summary>
/// <c>query.*</c> (queries/s, p50/p99): the supervisors' questions over the views the rebuild left,
/// one page each, first pages and the keyset pages after them (following the API's cursors).
/// Ours is the GET through the real API (authentication, validation, the view query, the freshness
/// check every answer carries, JSON); the peer is the same filter, order and page as a plain Marten
/// LINQ query on the documents (the duplicated, indexed columns where Marten uses them); the limit is
/// the same page as one SQL statement by Npgsql on the indexed columns, the rows' JSON read as text.
/// Every request is checked once, untimed, to give the same number of items from all three.
/// </summary>
public sealed class QueryCase(BenchSettings settings, ZoneApi api, NpgsqlDataSource db, string schema)
{
    private const int PagesPerFilter = 3;

    // Smaller than the API's default of 50, so that even the quick ledger has pages after the first.
    private const int PageSize = 20;

    /// <summary>One page of one query: the API path, and what the peer and the limit need to ask the same.</summary>
    private sealed record Request(string Path, string Filter, string? AfterKey, string? AfterId);

    private sealed record Kind(
        string Name, string Base, int Limit, IReadOnlyList<string> Filters, Func<string, string> Query,
        Func<IQuerySession, Request, int, CancellationToken, Task<int>> Peer, Func<Request, int, NpgsqlCommand> Sql);

    public async Task<IReadOnlyList<CaseResult>> RunAsync(IReadOnlyList<string> agreements, CancellationToken ct)
    {
        var results = new List<CaseResult>();
        foreach (var kind in Kinds(agreements))
        {
            var requests = await RequestsAsync(kind, ct);
            await CheckAsync(kind, requests, ct);
            results.Add(await MeasureAsync(kind, requests, ct));
        }
        results.AddRange(await SortsAsync(ct));
        return results;
    }

    /// <summary>Every sort key every supervision view offers, by the path that serves it.</summary>
    private static readonly (string Path, IReadOnlyList<string> Sorts)[] SortedViews =
    [
        ("/api/supervision/commitments", [.. CommitmentStandingQuery.Sorts.Select(s => s.Name)]),
        ("/api/supervision/governments", [.. GovernmentComplianceQuery.Sorts.Select(s => s.Name)]),
        ("/api/supervision/agreements", [.. AgreementProgressQuery.Sorts.Select(s => s.Name)]),
        ("/api/supervision/areas", [.. AreaSummaryQuery.Sorts.Select(s => s.Name)]),
        ("/api/supervision/overdue", [.. OverdueItemQuery.Sorts.Select(s => s.Name)]),
        ("/api/supervision/rectifications", [.. RectificationTrackQuery.Sorts.Select(s => s.Name)]),
        ("/api/supervision/scorecards", [.. ScorecardQuery.Sorts.Select(s => s.Name)]),
        ("/api/supervision/trends", [.. TrendPointQuery.Sorts.Select(s => s.Name)]),
    ];

    /// <summary>
    /// <c>query.sort.{view}.{key}</c> (ours alone): each view unfiltered, sorted by each of its keys in both
    /// directions, its first <see cref="PagesPerFilter"/> pages following the cursor, one client; the p50 and
    /// p99 over the runs, so that no sort key is left slow behind a fast default.
    /// </summary>
    private async Task<IReadOnlyList<CaseResult>> SortsAsync(CancellationToken ct)
    {
        var results = new List<CaseResult>();
        foreach (var (path, sorts) in SortedViews)
        {
            foreach (var sort in sorts)
            {
                var pages = new List<string>();
                foreach (var order in new[] { sort, "-" + sort })
                {
                    string? cursor = null;
                    for (var page = 0; page < PagesPerFilter; page++)
                    {
                        var request = $"{path}?sort={order}&limit={PageSize}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
                        pages.Add(request);
                        using var body = JsonDocument.Parse(await api.GetAsync(request, ct));
                        cursor = body.RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
                        if (cursor is null) break;
                    }
                }
                var runs = new List<RunResult>();
                for (var run = 1; run <= settings.QueryRuns; run++)
                {
                    var perRun = Math.Max(pages.Count, settings.QueriesPerRun / 20);
                    runs.Add(await Measurement.RunAsync(1, perRun, async (_, i) => await api.GetAsync(pages[i % pages.Count], ct)));
                }
                var result = CaseResult.OursOnly($"query.sort.{path.Split('/')[^1]}.{sort}", "queries/s", runs);
                Log($"{result.Case,-40} p50 {result.P50Ms,6:F2} ms, p99 {result.P99Ms,6:F2} ms over {runs.Sum(r => r.Operations)} queries ({pages.Count} pages)");
                results.Add(result);
            }
        }
        return results;
    }

    private IEnumerable<Kind> Kinds(IReadOnlyList<string> agreements)
    {
        var table = (string type) => $"\"{schema}\".mt_doc_{type}";
        // Agreements spread over the whole ledger, not only the first ones.
        var sample = Enumerable.Range(0, Math.Min(40, agreements.Count)).Select(i => agreements[i * agreements.Count / Math.Min(40, agreements.Count)]).ToArray();

        yield return new Kind("query.commitments", "/api/supervision/commitments", 10, sample,
            f => $"agreement={f}&status=Active",
            async (s, r, limit, ct) =>
            {
                var q = s.Query<CommitmentStanding>().Where(x => x.AgreementId == r.Filter && x.Status == StandingStatus.Active);
                if (r.AfterId is not null) q = q.Where(x => x.MatchesSql("d.id > ?", r.AfterId));
                return (await q.OrderBy(x => x.Id).Take(limit + 1).ToListAsync(ct)).Count;
            },
            (r, limit) => Command(
                $"select data from {table("commitmentstanding")} where agreement_id = $1 and status = 'Active'{(r.AfterId is null ? "" : " and id > $3")} order by id limit $2",
                r.Filter, limit + 1, r.AfterId));

        yield return new Kind("query.overdue", "/api/supervision/overdue", PageSize, Enum.GetNames<TaskArea>(),
            f => $"taskArea={f}",
            async (s, r, limit, ct) =>
            {
                var area = Enum.Parse<TaskArea>(r.Filter);
                var q = s.Query<OverdueItem>().Where(x => x.TaskArea == area);
                if (r.AfterId is not null) q = q.Where(x => x.MatchesSql("(d.due_on, d.id) > (cast(? as date), ?)", r.AfterKey!, r.AfterId));
                return (await q.OrderBy(x => x.DueOn).ThenBy(x => x.Id).Take(limit + 1).ToListAsync(ct)).Count;
            },
            (r, limit) => Command(
                $"select data from {table("overdueitem")} where task_area = $1{(r.AfterId is null ? "" : " and (due_on, id) > (cast($4 as date), $3)")} order by due_on, id limit $2",
                r.Filter, limit + 1, r.AfterId, r.AfterKey));

        yield return new Kind("query.rectifications", "/api/supervision/rectifications", PageSize, Enum.GetNames<Province>(),
            f => $"open=true&province={f}",
            async (s, r, limit, ct) =>
            {
                var province = Enum.Parse<Province>(r.Filter);
                var q = s.Query<RectificationTrack>().Where(x => x.Open && x.Province == province);
                if (r.AfterId is not null) q = q.Where(x => x.MatchesSql("(d.due_on, d.id) > (cast(? as date), ?)", r.AfterKey!, r.AfterId));
                return (await q.OrderBy(x => x.DueOn).ThenBy(x => x.Id).Take(limit + 1).ToListAsync(ct)).Count;
            },
            (r, limit) => Command(
                $"select data from {table("rectificationtrack")} where province = $1 and (data->>'open')::boolean{(r.AfterId is null ? "" : " and (due_on, id) > (cast($4 as date), $3)")} order by due_on, id limit $2",
                r.Filter, limit + 1, r.AfterId, r.AfterKey));

        yield return new Kind("query.governments", "/api/supervision/governments", PageSize, Enum.GetNames<Province>(),
            f => $"province={f}",
            async (s, r, limit, ct) =>
            {
                var province = Enum.Parse<Province>(r.Filter);
                var q = s.Query<GovernmentCompliance>().Where(x => x.Province == province);
                if (r.AfterId is not null) q = q.Where(x => x.MatchesSql("d.id > ?", r.AfterId));
                return (await q.OrderBy(x => x.Id).Take(limit + 1).ToListAsync(ct)).Count;
            },
            (r, limit) => Command(
                $"select data from {table("governmentcompliance")} where province = $1{(r.AfterId is null ? "" : " and id > $3")} order by id limit $2",
                r.Filter, limit + 1, r.AfterId));

        yield return new Kind("query.scorecards", "/api/supervision/scorecards", PageSize, Zone.ZoneLedger.Cycles,
            f => $"cycle={f}",
            async (s, r, limit, ct) =>
            {
                var q = s.Query<Scorecard>().Where(x => x.CycleId == r.Filter);
                if (r.AfterId is not null) q = q.Where(x => x.MatchesSql("(d.rank, d.id) > (cast(? as integer), ?)", r.AfterKey!, r.AfterId));
                return (await q.OrderBy(x => x.Rank).ThenBy(x => x.Id).Take(limit + 1).ToListAsync(ct)).Count;
            },
            (r, limit) => Command(
                $"select data from {table("scorecard")} where cycle_id = $1{(r.AfterId is null ? "" : " and (rank, id) > (cast($4 as integer), $3)")} order by rank, id limit $2",
                r.Filter, limit + 1, r.AfterId, r.AfterKey));
    }

    private NpgsqlCommand Command(string sql, string filter, int limit, string? afterId = null, string? afterKey = null)
    {
        var command = db.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = filter });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        if (afterId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = afterId });
            if (afterKey is not null) command.Parameters.Add(new NpgsqlParameter { Value = afterKey });
        }
        return command;
    }

    /// <summary>For each filter value the first page and, following the API's cursors, the pages after it.</summary>
    private async Task<IReadOnlyList<Request>> RequestsAsync(Kind kind, CancellationToken ct)
    {
        var requests = new List<Request>();
        foreach (var filter in kind.Filters)
        {
            string? cursor = null;
            for (var page = 0; page < PagesPerFilter; page++)
            {
                var path = $"{kind.Base}?{kind.Query(Uri.EscapeDataString(filter))}&limit={kind.Limit}" + (cursor is null ? "" : $"&cursor={cursor}");
                var (key, id) = cursor is null ? (null, null) : Decode(cursor);
                requests.Add(new Request(path, filter, key, id));
                using var body = JsonDocument.Parse(await api.GetAsync(path, ct));
                if (body.RootElement.GetProperty("next").GetString() is not { } next) break;
                cursor = next;
            }
        }
        var pages = requests.Count(r => r.AfterId is not null);
        Log($"{kind.Name}: {requests.Count} requests ({kind.Filters.Count} filter values, {pages} of them keyset pages after the first), limit {kind.Limit}");
        return requests;
    }

    // The API's cursor: base64url of the JSON array [sort, key, id].
    private static (string Key, string Id) Decode(string cursor)
    {
        var text = cursor.Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        var parts = JsonSerializer.Deserialize<string[]>(Encoding.UTF8.GetString(Convert.FromBase64String(text)))!;
        return (parts[1], parts[2]);
    }

    private async Task CheckAsync(Kind kind, IReadOnlyList<Request> requests, CancellationToken ct)
    {
        foreach (var r in requests)
        {
            using var body = JsonDocument.Parse(await api.GetAsync(r.Path, ct));
            var ours = body.RootElement.GetProperty("items").GetArrayLength() + (body.RootElement.GetProperty("next").ValueKind == JsonValueKind.Null ? 0 : 1);
            await using var session = api.Store.QuerySession();
            var peer = await kind.Peer(session, r, kind.Limit, ct);
            var limit = await LimitAsync(kind, r, ct);
            if (ours != peer || ours != limit)
                throw new InvalidOperationException($"{kind.Name} {r.Path}: ours {ours}, peer {peer}, limit {limit} rows (limit + 1 when a next page exists)");
        }
    }

    private async Task<int> LimitAsync(Kind kind, Request r, CancellationToken ct)
    {
        await using var command = kind.Sql(r, kind.Limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = 0;
        long length = 0;
        while (await reader.ReadAsync(ct))
        {
            rows++;
            length += reader.GetString(0).Length;
        }
        GC.KeepAlive(length);
        return rows;
    }

    private async Task<CaseResult> MeasureAsync(Kind kind, IReadOnlyList<Request> requests, CancellationToken ct)
    {
        var clients = settings.QueryClients;
        var perClient = Math.Max(1, settings.QueriesPerRun / clients);
        Measurement.Operation ours = async (c, i) => await api.GetAsync(requests[(c * perClient + i) % requests.Count].Path, ct);
        Measurement.Operation peer = async (c, i) =>
        {
            await using var session = api.Store.QuerySession();
            await kind.Peer(session, requests[(c * perClient + i) % requests.Count], kind.Limit, ct);
        };
        Measurement.Operation limit = async (c, i) => await LimitAsync(kind, requests[(c * perClient + i) % requests.Count], ct);
        var targets = new[] { ("ours", ours), ("peer", peer), ("limit", limit) };
        var runs = targets.ToDictionary(t => t.Item1, _ => new List<RunResult>());

        foreach (var (_, op) in targets)
            await Measurement.RunAsync(clients, Math.Max(requests.Count, 20), op);
        for (var run = 1; run <= settings.QueryRuns; run++)
        {
            for (var t = 0; t < targets.Length; t++)
            {
                var (name, op) = targets[(t + run - 1) % targets.Length];
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var result = await Measurement.RunAsync(clients, perClient, op);
                runs[name].Add(result);
                Log($"{kind.Name,-21} {name,-5} run {run}/{settings.QueryRuns}: {result.Operations,5} queries in {result.Seconds,5:F2} s = {result.Throughput,7:F1}/s, p50 {result.P50Ms,6:F2} ms, p99 {result.P99Ms,6:F2} ms");
            }
        }
        return CaseResult.From(kind.Name, runs["ours"], runs["peer"], runs["limit"]) with { Unit = "queries/s" };
    }

    private static void Log(string line) => Console.Error.WriteLine("bench: " + line);

    /// <summary>Statistics for the views the rebuild wrote, then a checkpoint, so no run inherits the rebuild's dirty pages.</summary>
    public static async Task SettleAsync(NpgsqlDataSource db, string schema, CancellationToken ct)
    {
        var tables = new List<string>();
        await using (var list = db.CreateCommand($"select relname from pg_stat_user_tables where schemaname = '{schema}' and relname like 'mt_doc_%'"))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) tables.Add(reader.GetString(0));
        }
        foreach (var table in tables)
        {
            await using var vacuum = db.CreateCommand($"vacuum (analyze) \"{schema}\".\"{table}\"");
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync(ct);
        }
        await using var connection = await db.OpenConnectionAsync(ct);
        await BenchLedger.TryAdminAsync(connection, "checkpoint", ct);
    }
}
