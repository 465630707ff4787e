using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Api.Tests.Support;
using Ledger.Benchmarks;
using Ledger.Benchmarks.Integrity;
using Ledger.Infrastructure.Identity;
using Npgsql;

namespace Ledger.Chaos;

/// <summary>
/// The deadline clock's notices across the run: each due item (a deadline or milestone overdue or approaching,
/// a period's report missing) noticed at most once per commitment, and every commitment's overdue deadline noticed.
/// </summary>
public sealed record ClockCheck(
    [property: JsonPropertyName("commitments")] int Commitments,
    [property: JsonPropertyName("notices")] int Notices,
    [property: JsonPropertyName("duplicated")] int Duplicated,
    [property: JsonPropertyName("deadlines_not_noticed")] int DeadlinesNotNoticed)
{
    [JsonIgnore]
    public IReadOnlyList<string> Problems { get; init; } = [];

    [JsonPropertyName("passed")]
    public bool Passed => Duplicated == 0 && DeadlinesNotNoticed == 0;

    public static async Task<ClockCheck> RunAsync(string connectionString, string schema, IReadOnlyList<string> commitments)
    {
        var notices = new Dictionary<string, int>(StringComparer.Ordinal);
        var deadlines = new HashSet<string>(StringComparer.Ordinal);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"""
                select stream_id, type, data::text from "{schema}".mt_events
                where type in ('deadline_approaching.v1', 'commitment_overdue.v1', 'report_missing.v1')
                """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var (stream, type) = (reader.GetString(0), reader.GetString(1));
                using var data = JsonDocument.Parse(reader.GetString(2));
                string Field(string name) => data.RootElement.TryGetProperty(name, out var v) ? v.ToString() : "";
                // What one notice is about: the same item noticed twice is a duplicate, whatever the time of noticing.
                var item = type == "report_missing.v1"
                    ? $"{stream} {type} {Field("indicatorId")} {Field("period")}"
                    : $"{stream} {type} {Field("kind")} {Field("milestoneId")} {Field("dueOn")}";
                notices[item] = notices.GetValueOrDefault(item) + 1;
                if (type == "commitment_overdue.v1" && Field("milestoneId") == "") deadlines.Add(stream);
            }
        }
        var problems = new List<string>();
        foreach (var (item, count) in notices.Where(n => n.Value > 1))
            problems.Add($"clock: noticed {count} times: {item}");
        var missed = commitments.Where(c => !deadlines.Contains("commitment/" + c)).ToList();
        problems.AddRange(missed.Take(10).Select(c => $"clock: the overdue deadline of {c} was never noticed"));
        return new ClockCheck(commitments.Count, notices.Values.Sum(), notices.Values.Count(c => c > 1), missed.Count) { Problems = problems };
    }
}

/// <summary>
/// The supervision views as the nodes' daemons left them, once caught up, against the same views rebuilt from
/// the events by <c>ledger rebuild</c> with the nodes stopped: every document equal.
/// </summary>
public sealed record ViewsCheck(
    [property: JsonPropertyName("caught_up")] bool CaughtUp,
    [property: JsonPropertyName("documents")] int Documents,
    [property: JsonPropertyName("differing")] int Differing,
    [property: JsonPropertyName("rebuild_s")] double RebuildSeconds)
{
    [JsonIgnore]
    public IReadOnlyList<string> Problems { get; init; } = [];

    [JsonIgnore]
    public IReadOnlyDictionary<string, string> Before { get; init; } = new Dictionary<string, string>();

    [JsonPropertyName("passed")]
    public bool Passed => CaughtUp && Differing == 0 && Documents > 0;

    /// <summary>Waits until every projection (not the daemon's own high-water rows) has reached the last event, then reads every document.</summary>
    public static async Task<ViewsCheck> CaughtUpAsync(string connectionString, string schema)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        var caughtUp = false;
        for (var waited = 0; waited < 120 && !caughtUp; waited++)
        {
            await using var behind = db.CreateCommand($"""
                select count(*) from "{schema}".mt_event_progression
                where name not like 'HighWater%' and last_seq_id < (select coalesce(max(seq_id), 0) from "{schema}".mt_events)
                """);
            caughtUp = (long)(await behind.ExecuteScalarAsync())! == 0;
            if (!caughtUp) await Task.Delay(TimeSpan.FromSeconds(1));
        }
        var documents = await DocumentsAsync(db, schema);
        return new ViewsCheck(caughtUp, documents.Count, 0, 0)
        {
            Before = documents,
            Problems = caughtUp ? [] : ["views: the daemon did not reach the last event within 120 s: " + await WhereAsync(db, schema)],
        };
    }

    public static async Task<ViewsCheck> AgainstRebuildAsync(string connectionString, string schema, ViewsCheck live)
    {
        var cli = VerifyChild.CliPath() ?? throw new InvalidOperationException("src/Ledger.Cli is not built in this configuration; build the solution first");
        var watch = Stopwatch.StartNew();
        await CliChild.RunAsync(cli, "rebuild", [], connectionString, schema, [], CancellationToken.None);
        watch.Stop();
        await using var db = NpgsqlDataSource.Create(connectionString);
        var rebuilt = await DocumentsAsync(db, schema);
        var differing = live.Before.Keys.Union(rebuilt.Keys)
            .Where(key => live.Before.GetValueOrDefault(key) != rebuilt.GetValueOrDefault(key))
            .Order(StringComparer.Ordinal).ToList();
        return live with
        {
            Differing = differing.Count,
            RebuildSeconds = Math.Round(watch.Elapsed.TotalSeconds, 2),
            Problems = [.. live.Problems, .. differing.Take(10).Select(key => $"views: {key} differs from its rebuild ("
                + (live.Before.ContainsKey(key) ? rebuilt.ContainsKey(key) ? "content" : "not in the rebuild" : "only in the rebuild") + ")")],
        };
    }

    // Where each projection stands, and the first events it has not taken.
    private static async Task<string> WhereAsync(NpgsqlDataSource db, string schema)
    {
        var where = new List<string>();
        await using (var progression = db.CreateCommand($"select name, last_seq_id from \"{schema}\".mt_event_progression order by name"))
        await using (var reader = await progression.ExecuteReaderAsync())
            while (await reader.ReadAsync()) where.Add($"{reader.GetString(0)} at {reader.GetInt64(1)}");
        await using (var next = db.CreateCommand($"""
            select seq_id, type, timestamp::text, stream_id from "{schema}".mt_events
            where seq_id > (select min(last_seq_id) from "{schema}".mt_event_progression where name not like 'HighWater%') order by seq_id limit 5
            """))
        await using (var reader = await next.ExecuteReaderAsync())
            while (await reader.ReadAsync()) where.Add($"next: {reader.GetInt64(0)} {reader.GetString(1)} {reader.GetString(2)} {reader.GetString(3)}");
        return string.Join("; ", where);
    }

    // Every Marten document, "table id" → its JSON as PostgreSQL normalises it.
    private static async Task<Dictionary<string, string>> DocumentsAsync(NpgsqlDataSource db, string schema)
    {
        var tables = new List<string>();
        await using (var list = db.CreateCommand($"select table_name from information_schema.tables where table_schema = '{schema}' and table_name like 'mt_doc_%' order by 1"))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        var documents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var read = db.CreateCommand($"select id::text, data::text from \"{schema}\".\"{table}\"");
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync()) documents[$"{table} {reader.GetString(0)}"] = reader.GetString(1);
        }
        return documents;
    }
}

/// <summary>Commitments created through the nodes during the run, a new one every few seconds, for the clock to notice.</summary>
public sealed class CommitmentCreator(Nodes nodes, TokenIssuer tokens)
{
    private readonly List<string> _created = [];

    /// <summary>The commitments whose creation and activation were acknowledged.</summary>
    public IReadOnlyList<string> Created
    {
        get
        {
            lock (_created) return [.. _created];
        }
    }

    public async Task RunAsync(Stopwatch clock, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        for (var n = 1; !stop.IsCancellationRequested; n++)
        {
            var id = $"chaos-new-{n:D4}";
            var done = true;
            foreach (var step in PilotRequests.ActiveCommitment(id))
                done = done && await SendAsync(http, step, clock);
            if (done && await IsActiveAsync(http, id))
                lock (_created) _created.Add(id);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(3), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // Until a definite answer: a 2xx, or (after an attempt whose outcome was unknown) the 409 of a step already taken.
    private async Task<bool> SendAsync(HttpClient http, PilotRequest step, Stopwatch clock)
    {
        var until = clock.Elapsed + TimeSpan.FromSeconds(60);
        var unknown = false;
        while (clock.Elapsed < until)
        {
            if (nodes.Addresses is not [_, ..] addresses)
            {
                await Task.Delay(200);
                continue;
            }
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(addresses[Random.Shared.Next(addresses.Count)], step.Path));
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens.Issue(step.Role, step.Government, TimeSpan.FromHours(1)));
                if (step.Body is not null) request.Content = System.Net.Http.Json.JsonContent.Create(step.Body);
                using var response = await http.SendAsync(request);
                if (response.IsSuccessStatusCode) return true;
                if (response.StatusCode == HttpStatusCode.Conflict && unknown) return true;
                if ((int)response.StatusCode is >= 400 and < 500 and not 408 and not 429) return false;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
            }
            unknown = true;
            await Task.Delay(300);
        }
        return false;
    }

    private async Task<bool> IsActiveAsync(HttpClient http, string id)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (nodes.Addresses is [var address, ..])
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, $"/api/commitments/{id}"));
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens.Issue("auditor", null, TimeSpan.FromHours(1)));
                    using var response = await http.SendAsync(request);
                    if (response.IsSuccessStatusCode)
                        return (string?)System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())?["status"] == "Active";
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                }
            }
            await Task.Delay(500);
        }
        return false;
    }
}

/// <summary>Each node's readiness, sampled four times a second, and any liveness answer other than 200.</summary>
public sealed class ReadinessProbe(Nodes nodes)
{
    private readonly List<(TimeSpan At, bool Ready)> _samples = [];
    private int _liveNot200;

    public IReadOnlyList<(TimeSpan At, bool Ready)> Samples
    {
        get
        {
            lock (_samples) return [.. _samples];
        }
    }

    public int LiveNot200 => _liveNot200;

    public async Task RunAsync(Stopwatch clock, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (!stop.IsCancellationRequested)
        {
            foreach (var address in nodes.Addresses)
            {
                await SampleAsync(http, new Uri(address, "/health/ready"), clock);
                try
                {
                    using var live = await http.GetAsync(new Uri(address, "/health/live"));
                    if (live.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref _liveNot200);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // No answer (a killed or paused node): not an answer other than 200.
                }
            }
            try
            {
                await Task.Delay(250, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SampleAsync(HttpClient http, Uri ready, Stopwatch clock)
    {
        try
        {
            using var response = await http.GetAsync(ready);
            lock (_samples) _samples.Add((clock.Elapsed, response.StatusCode == HttpStatusCode.OK));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // No answer at all says nothing about what readiness would have said.
        }
    }
}
