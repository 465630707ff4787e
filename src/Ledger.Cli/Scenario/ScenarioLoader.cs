using System.Globalization;
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
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Cli.Scenario;

/// <summary>
/// Loads a scenario through the ledger's own HTTP API, run in-process with the scenario's clock, so
/// every step takes the path a user's request takes (authentication, validation, decision,
/// envelope, append). Each step carries a fixed idempotency key, kept in its events' envelope. Idempotency
/// records expire (Idempotency:Window), so a step is recognised as loaded by its key in the stored
/// events instead: loading twice appends nothing new, however long after the first load.
///
/// The scenario is laid out for a load day (<see cref="ScenarioLayout"/>): the day asked for on a
/// first load, and after that always the day the ledger was first loaded with, which every step's
/// correlation id names (<c>scenario:pilot-zone:2026-12-02</c>). A later load on another day thus
/// lays out the same steps at the same dates and finds them all loaded. Keys are digests of the
/// steps as written, whatever day they are laid out for.
///
/// The deadline clock does not run in the loader's host, nor does the projection daemon. The loader
/// runs the clock's pass itself instead: before each step that falls on a new day in the zone (UTC+8),
/// and once after the last step, at the start of the load day. The seeded ledger thus holds the notices
/// a live clock would have appended by then, stamped when the scenario reached them, and a live clock
/// on the load day has nothing to add. Passes run only where this load appends steps: a pass at an
/// earlier time over a later history could notice what was no longer true.
/// </summary>
public sealed class ScenarioLoader(string[] hostArgs)
{
    /// <summary>
    /// Steps appended and steps found already loaded, the clock notices this load's passes appended, and
    /// the load day the scenario is laid out for with the years its dates moved by.
    /// </summary>
    public sealed record Outcome(int Appended, int AlreadyLoaded, int Notices, DateOnly LoadDay, int Years);

    /// <summary>
    /// Loads the scenario laid out for <paramref name="loadDay"/> (a zone date, not after today), or for
    /// the day the ledger was first loaded with where it holds the scenario already.
    /// </summary>
    public async Task<Outcome> LoadAsync(ScenarioFile scenario, DateOnly loadDay, Action<int, int>? progress, CancellationToken ct)
    {
        var today = ScenarioLayout.ZoneDate(TimeProvider.System.GetUtcNow());
        if (loadDay > today)
            throw new InvalidOperationException($"the load day {loadDay:yyyy-MM-dd} is after today ({today:yyyy-MM-dd}): a ledger records nothing in the future");
        var clock = new ScenarioClock();
        await using var app = LedgerApi.Build([.. hostArgs, "--Clock:Enabled=false", "--Ledger:Daemon=Disabled"], builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Logging.ClearProviders();
        });
        // The settings first: a refusal is then the tool's one line, not the host's log of a failed start.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        await app.StartAsync(ct);
        var (loaded, days) = await LoadedStepsAsync(app.Services.GetRequiredService<LedgerSettings>(), scenario.Name, ct);
        if (days.Count > 1)
            throw new InvalidOperationException(
                $"the ledger holds '{scenario.Name}' laid out for {days.Count} load days ({string.Join(", ", days.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))}); " +
                "load it into an empty ledger: ./ops/ledger reset --yes drops the ledger's schema");
        var layout = scenario.LayOut(days.Count == 1 ? days.Min : loadDay);
        var correlation = Correlation(scenario.Name) + layout.LoadDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var keys = layout.Steps.Select(s => StepKey(s.Written, s.Index)).ToList();
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
        var steps = layout.Steps;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i].Step;
            var key = keys[i];
            if (loaded.Contains(key))
            {
                replayed++;
                progress?.Invoke(i + 1, steps.Count);
                continue;
            }
            clock.Set(step.At);
            if (i > 0 && ClockTick.At(step.At).Today != ClockTick.At(steps[i - 1].Step.At).Today)
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
                throw new InvalidOperationException($"scenario step {steps[i].Index + 1} (POST {step.Post} as {step.Actor}) was refused: {(int)response.StatusCode} {Summarize(problem)}");
            }
            if (response.Headers.Contains("Idempotent-Replayed")) replayed++;
            else appended++;
            progress?.Invoke(i + 1, steps.Count);
        }
        if (appended > 0)
        {
            clock.Set(layout.LoadDayStart);
            notices += (await deadlines.RunAsync(clock.GetUtcNow(), ct)).Appended;
        }
        await app.StopAsync(ct);
        return new Outcome(appended, replayed, notices, layout.LoadDay, layout.Years);
    }

    /// <summary>The correlation id of a scenario's steps, up to the load day that ends it.</summary>
    private static string Correlation(string name) => $"scenario:{name}:";

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

    /// <summary>
    /// The idempotency keys of the scenario's steps whose events are already stored, and the load days
    /// their correlation ids name (none for a ledger loaded before load days were recorded).
    /// </summary>
    private static async Task<(HashSet<string> Keys, SortedSet<DateOnly> Days)> LoadedStepsAsync(LedgerSettings settings, string name, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select distinct correlation_id, headers ->> '{EnvelopeHeaders.IdempotencyKey}' from \"{settings.Schema}\".mt_events " +
            $"where (correlation_id = @legacy or starts_with(correlation_id, @prefix)) and headers ? '{EnvelopeHeaders.IdempotencyKey}'", connection);
        command.Parameters.AddWithValue("legacy", $"scenario:{name}");
        command.Parameters.AddWithValue("prefix", Correlation(name));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var days = new SortedSet<DateOnly>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var correlation = reader.GetString(0);
            var prefix = Correlation(name);
            if (correlation.StartsWith(prefix, StringComparison.Ordinal)
                && DateOnly.TryParseExact(correlation[prefix.Length..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                days.Add(day);
            keys.Add(reader.GetString(1));
        }
        return (keys, days);
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
