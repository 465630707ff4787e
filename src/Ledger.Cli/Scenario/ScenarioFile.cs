using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ledger.Cli.Scenario;

/// <summary>
/// A scenario is a list of HTTP commands, each sent at a given time by a given actor:
/// <c>{"at": "2021-03-01T09:00:00+08:00", "actor": "government:430181", "post": "/api/commitments", "body": {…}}</c>.
/// Actors are a role, or <c>government:CODE</c>.
/// </summary>
public sealed record ScenarioStep(DateTimeOffset At, string Actor, string Post, JsonObject? Body, string? Note);

public sealed record ScenarioFile(string Name, IReadOnlyList<ScenarioStep> Steps)
{
    public static ScenarioFile Load(string path)
    {
        using var stream = File.OpenRead(path);
        var scenario = JsonSerializer.Deserialize<ScenarioFile>(stream, JsonSerializerOptions.Web)
            ?? throw new InvalidDataException($"{path} holds no scenario");
        for (var i = 1; i < scenario.Steps.Count; i++)
        {
            if (scenario.Steps[i].At < scenario.Steps[i - 1].At)
                throw new InvalidDataException($"{path}: step {i + 1} ({scenario.Steps[i].Post}) is dated before the step it follows");
        }
        return scenario;
    }

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "scenario", "pilot-zone.json");
}
