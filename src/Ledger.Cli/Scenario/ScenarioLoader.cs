using System.Security.Cryptography;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.Domain.Clock;
using Ledger.Infrastructure.Clock;
using Ledger.Infrastructure.Identity;
using Ledger.Infrastructure.Store;
using Ledger.Infrastructure.Writing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Cli.Scenario;

/// <summary>
/// Loads a scenario through the ledger's own HTTP API, run in-process with the scenario's clock, so
/// every step takes the path a user's request takes (authentication, validation, decision,
/// envelope, append). Each step carries a fixed idempotency key, kept in its events' envelope. Idempotency
/// records expire (Idempotency:Window), so a step is recognised as loaded by its key in the stored
/// events instead: loading twice appends nothing new, however long after the first load.
///
/// The deadline clock does not run in the loader's host, nor does the projection daemon. The loader
/// runs the clock's pass itself instead: before each step that falls on a new day in the zone (UTC+8),
/// and once after the last step, at that step's time. The seeded ledger thus holds the notices a live
/// clock would have appended by then, stamped when the scenario reached them. Passes run only where
/// this load appends steps: a pass at an earlier time over a later history could notice what was no
/// longer true.
/// </summary>
public sealed class ScenarioLoader(string[] hostArgs)
{
    /// <summary>Steps appended and steps found already loaded, and the clock notices this load's passes appended.</summary>
    public sealed record Outcome(int Appended, int AlreadyLoaded, int Notices);

    public async Task<Outcome> LoadAsync(ScenarioFile scenario, Action<int, int>? progress, CancellationToken ct)
    {
        var clock = new ScenarioClock();
        await using var app = LedgerApi.Build([.. hostArgs, "--Clock:Enabled=false", "--Ledger:Daemon=Disabled"], builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Logging.ClearProviders();
        });
        await app.StartAsync(ct);
        var correlation = $"scenario:{scenario.Name}";
        var loaded = await LoadedStepsAsync(app.Services.GetRequiredService<LedgerSettings>(), correlation, ct);
        var keys = scenario.Steps.Select(StepKey).ToList();
        // A ledger loaded from another version of the file would otherwise take a changed step for
        // one it already holds, or hold steps this file no longer has: refuse rather than mix them.
        if (loaded.Except(keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).FirstOrDefault() is { } foreign)
            throw new InvalidOperationException(
                $"the ledger holds {loaded.Except(keys, StringComparer.Ordinal).Count()} scenario steps that are not in this version of '{scenario.Name}' " +
                $"(first: {foreign}); load it into an empty ledger: ./ops/ledger reset --yes drops the ledger's schema");
        using var client = app.GetTestClient();
        var issuer = new TokenIssuer(app.Services.GetRequiredService<TokenSettings>(), TimeProvider.System);
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        var deadlines = app.Services.GetRequiredService<ClockPass>();

        int appended = 0, replayed = 0, notices = 0;
        for (var i = 0; i < scenario.Steps.Count; i++)
        {
            var step = scenario.Steps[i];
            var key = keys[i];
            if (loaded.Contains(key))
            {
                replayed++;
                progress?.Invoke(i + 1, scenario.Steps.Count);
                continue;
            }
            clock.Set(step.At);
            if (i > 0 && ClockTick.At(step.At).Today != ClockTick.At(scenario.Steps[i - 1].At).Today)
                notices += (await deadlines.RunAsync(clock.GetUtcNow(), ct)).Appended;
            if (!tokens.TryGetValue(step.Actor, out var token))
                tokens[step.Actor] = token = TokenFor(issuer, step.Actor);

            using var request = new HttpRequestMessage(HttpMethod.Post, step.Post);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add("Idempotency-Key", key);
            request.Headers.Add("X-Correlation-Id", correlation);
            request.Content = new StringContent(step.Body?.ToJsonString() ?? "{}", Encoding.UTF8, "application/json");
            if (step.Body is null) request.Content = null;

            using var response = await client.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                var problem = await response.Content.ReadAsStringAsync(ct);
                throw new InvalidOperationException($"scenario step {i + 1} (POST {step.Post} as {step.Actor}) was refused: {(int)response.StatusCode} {Summarize(problem)}");
            }
            if (response.Headers.Contains("Idempotent-Replayed")) replayed++;
            else appended++;
            progress?.Invoke(i + 1, scenario.Steps.Count);
        }
        if (appended > 0)
            notices += (await deadlines.RunAsync(clock.GetUtcNow(), ct)).Appended;
        await app.StopAsync(ct);
        return new Outcome(appended, replayed, notices);
    }

    /// <summary>
    /// A step's idempotency key: its position and a digest of its content (time, actor, path and body),
    /// so that inserting, changing or removing a step elsewhere in the file never makes the ledger take
    /// one step for another.
    /// </summary>
    public static string StepKey(ScenarioStep step, int index)
    {
        var content = $"{step.At:O}|{step.Actor}|{step.Post}|{step.Body?.ToJsonString() ?? ""}";
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..12];
        return $"scenario-{index + 1:D4}-{digest}";
    }

    /// <summary>The idempotency keys of the scenario's steps whose events are already stored.</summary>
    private static async Task<HashSet<string>> LoadedStepsAsync(LedgerSettings settings, string correlation, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select distinct headers ->> '{EnvelopeHeaders.IdempotencyKey}' from \"{settings.Schema}\".mt_events " +
            $"where correlation_id = @correlation and headers ? '{EnvelopeHeaders.IdempotencyKey}'", connection);
        command.Parameters.AddWithValue("correlation", correlation);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            keys.Add(reader.GetString(0));
        return keys;
    }

    private static string TokenFor(TokenIssuer issuer, string actor)
    {
        var parts = actor.Split(':', 2);
        return issuer.Issue(parts[0], parts.Length == 2 ? parts[1] : null, TimeSpan.FromHours(1), subject: $"scenario/{actor}");
    }

    private static string Summarize(string problem)
    {
        try
        {
            using var json = JsonDocument.Parse(problem);
            var root = json.RootElement;
            var code = root.TryGetProperty("code", out var c) ? c.GetString() : null;
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() : null;
            var field = root.TryGetProperty("field", out var f) ? $" (field {f.GetString()})" : "";
            return $"{code}: {detail}{field}";
        }
        catch (JsonException)
        {
            return problem.Length > 200 ? problem[..200] : problem;
        }
    }
}
