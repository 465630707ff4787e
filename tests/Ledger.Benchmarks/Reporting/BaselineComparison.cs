using System.Globalization;
using System.Text.Json.Nodes;

namespace Ledger.Benchmarks.Reporting;

/// <summary>
/// Compares a run (artifacts/bench/latest.json) with the committed baseline (ops/bench-baseline.json).
/// Only the ratios are compared, ours against the peer and against the limit on the same machine in
/// the same run, since raw rates follow the machine. A ratio that fell by more than the threshold
/// (20% unless told) is flagged, and so is a baseline ratio the run lacks; either makes the exit code 1.
/// </summary>
public static class BaselineComparison
{
    public const double DefaultThreshold = 0.20;
    private static readonly string[] Ratios = ["ratio_peer", "ratio_limit"];

    public static int Run(string latestPath, string baselinePath, double threshold, TextWriter output)
    {
        foreach (var path in new[] { latestPath, baselinePath })
        {
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"bench: {path} does not exist");
                return 2;
            }
        }
        var latest = Cases(latestPath);
        var baseline = Cases(baselinePath);

        var rows = new List<string[]> { new[] { "case", "ratio", "baseline", "latest", "change", "verdict" } };
        var flagged = 0;
        foreach (var (name, before) in baseline)
        {
            foreach (var ratio in Ratios)
            {
                if (Number(before, ratio) is not { } was) continue;
                var now = latest.TryGetValue(name, out var after) ? Number(after, ratio) : null;
                if (now is null)
                {
                    rows.Add([name, ratio, F(was), "-", "-", "MISSING"]);
                    flagged++;
                    continue;
                }
                var change = now.Value / was - 1;
                var fell = now.Value < was * (1 - threshold);
                if (fell) flagged++;
                rows.Add([name, ratio, F(was), F(now.Value), change.ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture), fell ? "REGRESSED" : "ok"]);
            }
        }
        foreach (var name in latest.Keys.Where(k => !baseline.ContainsKey(k)))
            rows.Add([name, "-", "-", "-", "-", "new (no baseline)"]);

        output.Write(CaseResult.Format(rows));
        var percent = (threshold * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
        output.WriteLine(flagged == 0
            ? $"no ratio fell by more than {percent}"
            : $"{flagged} ratio(s) fell by more than {percent} or are missing");
        return flagged == 0 ? 0 : 1;
    }

    private static Dictionary<string, JsonObject> Cases(string path)
    {
        var array = JsonNode.Parse(File.ReadAllText(path)) as JsonArray
            ?? throw new InvalidDataException($"{path} is not a JSON array");
        var cases = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var item in array.OfType<JsonObject>())
        {
            if (item["case"]?.GetValue<string>() is { } name)
                cases[name] = item;
        }
        return cases;
    }

    private static double? Number(JsonObject item, string field) =>
        item[field] is JsonValue value && value.TryGetValue<double>(out var number) && double.IsFinite(number) ? number : null;

    private static string F(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
