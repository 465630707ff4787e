using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ledger.Cli.Scenario;

/// <summary>
/// A scenario is a list of HTTP commands, each sent at a given time by a given actor:
/// <c>{"at": "2021-03-01T09:00:00+08:00", "actor": "government:430181", "post": "/api/commitments", "body": {…}}</c>.
/// Actors are a role, or <c>government:CODE</c>.
/// </summary>
public sealed record ScenarioStep(DateTimeOffset At, string Actor, string Post, JsonObject? Body, string? Note);

/// <summary>
/// A scenario file. Its dates are written for a ledger first loaded on a day in the twelve months
/// from <see cref="LoadYearFrom"/>; <see cref="LayOut"/> moves them to any other load day by whole
/// years. Steps dated in those twelve months are the zone's routine (monthly reports, the year's
/// reports, deadlines met in time): a load takes only the steps dated before its load day.
/// </summary>
public sealed record ScenarioFile(string Name, DateOnly LoadYearFrom, IReadOnlyList<ScenarioStep> Steps)
{
    public static ScenarioFile Load(string path)
    {
        using var stream = File.OpenRead(path);
        var scenario = JsonSerializer.Deserialize<ScenarioFile>(stream, JsonSerializerOptions.Web)
            ?? throw new InvalidDataException($"{path} holds no scenario");
        if (scenario.LoadYearFrom == default)
            throw new InvalidDataException($"{path}: 'loadYearFrom' is missing (the first day of the twelve months the file's dates are written for)");
        for (var i = 1; i < scenario.Steps.Count; i++)
        {
            if (scenario.Steps[i].At < scenario.Steps[i - 1].At)
                throw new InvalidDataException($"{path}: step {i + 1} ({scenario.Steps[i].Post}) is dated before the step it follows");
        }
        // A step dated after the twelve months would never be loaded, whatever the load day.
        var end = ScenarioLayout.ZoneStart(scenario.LoadYearFrom.AddYears(1));
        if (scenario.Steps.Count > 0 && scenario.Steps[^1].At >= end)
            throw new InvalidDataException($"{path}: step {scenario.Steps.Count} ({scenario.Steps[^1].Post}) is dated after the twelve months from 'loadYearFrom' ({scenario.LoadYearFrom:yyyy-MM-dd})");
        return scenario;
    }

    /// <summary>The scenario as a ledger first loaded on <paramref name="loadDay"/> (a zone date) holds it.</summary>
    public ScenarioLayout LayOut(DateOnly loadDay) => ScenarioLayout.For(this, loadDay);

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "scenario", "pilot-zone.json");
}
