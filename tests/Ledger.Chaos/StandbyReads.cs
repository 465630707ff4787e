using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ledger.Infrastructure.Identity;
using Npgsql;

namespace Ledger.Chaos;

/// <summary>What the standby-reads check saw: where supervisors' queries were answered from, and when.</summary>
public sealed record StandbyReadsResult(
    bool Passed, string FirstReadFrom, double StandbyAfterSeconds, string WhileHeldBehindReadFrom, long WhileHeldBehindEventsBehind,
    double PrimaryAfterHeldSeconds, double StandbyAgainAfterReleaseSeconds, IReadOnlyList<string> Problems);

/// <summary>
/// Supervisors' queries on standbys (<c>Ledger:SupervisorReads=PreferStandby</c>, which `cluster up` sets on its nodes):
/// a supervision view is answered from a standby while the standbys keep up; with every standby held behind (Patroni
/// sets <c>recovery_min_apply_delay</c> on them: they still receive and flush the WAL, so synchronous commits go on,
/// but replay it 30 s late; Patroni itself resumes a replay paused with <c>pg_wal_replay_pause()</c>) and events
/// appended, the answer comes from the primary once the standbys' views trail it by more than
/// <c>Ledger:StandbyMaxLag</c>, and never says it is current when it is not; once the delay is lifted, from a standby again.
/// </summary>
public static class StandbyReadsCheck
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task<StandbyReadsResult> RunAsync(
        Uri node, TokenIssuer tokens, string commitment, IReadOnlyList<(string Host, int Port)> standbys,
        IReadOnlyList<Uri> patroni, Func<string, Task> log)
    {
        var supervisorToken = tokens.Issue("supervisor", null, TimeSpan.FromMinutes(10));
        using var http = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(10) };
        var problems = new List<string>();
        var watch = Stopwatch.StartNew();

        // 1. While the standbys keep up, the views are read on one.
        var (first, _) = await ReadAsync(http, supervisorToken);
        var standbyAt = await UntilAsync(http, supervisorToken, "standby", watch);
        if (standbyAt is null) problems.Add($"a supervisor's view query was never answered from a standby within {Patience.TotalSeconds:0} s (first: {first})");
        await log($"standby reads: the first answer came from the {first}; from a standby after {standbyAt:F2} s");

        // 2. Every standby held behind, events appended: the primary answers once the standbys trail by more than the allowed lag.
        string heldFrom = "";
        long heldBehind = -1;
        double? primaryAt = null, standbyAgainAt = null;
        try
        {
            await HoldBehindAsync(patroni, standbys, Delay);
            for (var i = 0; i < 3; i++)
                await LedgerRequests.SendAsync(http, tokens, LedgerRequests.Report(commitment, $"standby-read-{Guid.NewGuid():N}"[..28], i, "Standby read check."), alreadyDoneIsFine: false);
            var held = Stopwatch.StartNew();
            // Read at once: a standby may still answer (its views trail by less than the allowed lag), but then it must
            // say it is behind by at least the three reports it has not replayed.
            var (at, behind) = await ReadAsync(http, supervisorToken);
            if (at == "standby" && behind < 3)
                problems.Add($"a standby that had not replayed 3 appended reports answered {behind} events behind");
            primaryAt = await UntilAsync(http, supervisorToken, "primary", held);
            (heldFrom, heldBehind) = await ReadAsync(http, supervisorToken);
            if (primaryAt is null) problems.Add("with every standby replaying 30 s late, the views were still read on a standby");
            await log($"standby reads: standbys replaying 30 s late and 3 reports appended; answered from the primary after {primaryAt:F2} s ({heldBehind} events behind)");
        }
        finally
        {
            await HoldBehindAsync(patroni, standbys, "0");
        }

        // 3. The delay lifted: a standby again.
        var released = Stopwatch.StartNew();
        standbyAgainAt = await UntilAsync(http, supervisorToken, "standby", released);
        if (standbyAgainAt is null) problems.Add("after the replay delay was lifted, the views were not read on a standby again");
        await log($"standby reads: replay delay lifted; from a standby again after {standbyAgainAt:F2} s");

        return new StandbyReadsResult(problems.Count == 0, first, standbyAt ?? -1, heldFrom, heldBehind, primaryAt ?? -1, standbyAgainAt ?? -1, problems);
    }

    private static async Task<double?> UntilAsync(HttpClient http, string token, string readFrom, Stopwatch since)
    {
        var deadline = since.Elapsed + Patience;
        while (since.Elapsed < deadline)
        {
            if ((await ReadAsync(http, token)).ReadFrom == readFrom) return since.Elapsed.TotalSeconds;
            await Task.Delay(250);
        }
        return null;
    }

    private static async Task<(string ReadFrom, long EventsBehind)> ReadAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/supervision/governments?limit=5");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) return ($"an answer of {(int)response.StatusCode}", -1);
        var freshness = JsonNode.Parse(body)?["freshness"];
        return ((string?)freshness?["readFrom"] ?? "nowhere", (long?)freshness?["eventsBehind"] ?? -1);
    }

    private const string Delay = "30s";

    /// <summary>Sets <c>recovery_min_apply_delay</c> through Patroni's dynamic configuration, and waits until every standby has it.</summary>
    private static async Task HoldBehindAsync(IReadOnlyList<Uri> patroni, IReadOnlyList<(string Host, int Port)> standbys, string delay)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var body = System.Text.Json.JsonSerializer.Serialize(new { postgresql = new { parameters = new { recovery_min_apply_delay = delay } } });
        Exception? last = null;
        foreach (var api in patroni)
        {
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await http.PatchAsync(new Uri(api, "/config"), content);
                if (response.IsSuccessStatusCode) { last = null; break; }
                last = new InvalidOperationException($"Patroni answered {(int)response.StatusCode} to PATCH /config");
            }
            catch (HttpRequestException ex) { last = ex; }
        }
        if (last is not null) throw last;
        var expected = delay == "0" ? "0" : delay;
        var watch = Stopwatch.StartNew();
        foreach (var standby in standbys)
        {
            while (await SettingAsync(standby) != expected)
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(30))
                    throw new TimeoutException($"{standby.Host}:{standby.Port} did not take recovery_min_apply_delay = {delay} within 30 s");
                await Task.Delay(200);
            }
        }
    }

    private static async Task<string> SettingAsync((string Host, int Port) standby)
    {
        await using var connection = new NpgsqlConnection($"Host={standby.Host};Port={standby.Port};Database=postgres;Username=postgres;Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("show recovery_min_apply_delay", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
