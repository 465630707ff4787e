using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Ledger.Browser.Tests.Support;
using Microsoft.Playwright;

namespace Ledger.Browser.Tests.Console;

/// <summary>
/// Every console page, opened by the role it is for, in Chinese: it answers, shows no raw code (an
/// enum's name, a refusal's code, an event's stored name) and has no serious or critical
/// accessibility violation (axe-core). How long each took to load is written to
/// artifacts/console-pages.json — measured here, not asserted: the machine is shared.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class EveryPageTests(Chromium chromium, ConsoleScenario scenario)
{
    // (role, government, path): the pages each role opens, with ids from the scenario.
    public static TheoryData<string, string, string> Pages() => new()
    {
        { "government", "430181", "/county" },
        { "government", "430181", "/county/due" },
        { "government", "430181", "/county/scorecards" },
        { "government", "430181", "/county/commitments/a01-water-class-iii/report" },
        { "government", "430181", "/county/commitments/a04-fireworks-automation/evidence" },
        { "government", "430181", "/county/commitments/a04-fireworks-automation/claim" },
        { "government", "430181", "/county/commitments/a01-water-class-iii/correct" },
        { "government", "430181", "/account/password" },
        { "auditor", "", "/audit/accounts" },
        { "supervisor", "", "/audit/accounts" },
        { "auditor", "", "/signin" },
        { "auditor", "", "/audit" },
        { "auditor", "", "/audit/commitments/a03-suichuan-guidong-corridor?at=2023-06-30" },
        { "auditor", "", "/audit/views?at=2023-10-31" },
        { "auditor", "", "/audit/access-log" },
        { "auditor", "", "/audit/export" },
        { "auditor", "", "/audit/verify" },
        { "supervisor", "", "/commitments/a01-water-class-iii" },
        { "auditor", "", "/commitments/a03-border-road-upgrade" },
        { "decision", "", "/commitments/a03-border-road-upgrade" },
        { "government", "430181", "/commitments/a01-water-class-iii" },
        { "supervisor", "", "/overview" },
        { "supervisor", "", "/overdue" },
        { "supervisor", "", "/rectifications" },
        { "supervisor", "", "/scorecards" },
        { "decision", "", "/escalations" },
    };

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, (List<double> Loads, List<double> Answers)> Timings = [];

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Answers_in_words_and_passes_axe(string role, string government, string path)
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, role, string.IsNullOrEmpty(government) ? null : government);

        // The first load warms the host's code paths for this page; the next three are measured.
        var response = await traffic.GotoAsync(path);
        Assert.Equal(200, response.Status);
        var times = new List<double>();
        var server = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            await traffic.Page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
            times.Add(clock.Elapsed.TotalMilliseconds);
            // The browser's own navigation timing: from sending the request to the page's last byte.
            server.Add(await traffic.Page.EvaluateAsync<double>("() => { const n = performance.getEntriesByType('navigation')[0]; return n.responseEnd - n.requestStart; }"));
        }
        Record(path, times, server);

        var text = await traffic.Page.InnerTextAsync("body");
        Assert.True(RawCodes(text).Count == 0, $"{path} shows raw codes: {string.Join(", ", RawCodes(text))}");

        var results = await traffic.Page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{path}: " + string.Join("\n", serious.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join("; ", v.Nodes.Take(3).Select(n => n.Html))}")));
        traffic.AssertSelfContained();
    }

    // What a code looks like when it leaks onto a Chinese page: snake_case (refusal codes, stored
    // event names such as progress_reported.v1) or an enum name of two or more capitalised words
    // (FulfilmentClaimed, AmberRed). The scenario's own English titles are prose and match neither.
    private static List<string> RawCodes(string text) =>
        [.. SnakeCase().Matches(text).Select(m => m.Value).Concat(PascalCase().Matches(text).Select(m => m.Value)).Distinct()];

    /// <summary>
    /// Writes each page's loads so far: the whole load as the test saw it (request to the load event,
    /// scripts and charts included) and the page's answer alone (request sent to last byte received).
    /// </summary>
    private static void Record(string path, List<double> times, List<double> answers)
    {
        lock (Gate)
        {
            Timings[path] = (times, answers);
            var file = Screens.PathFor("../console-pages.json");
            File.WriteAllText(file, JsonSerializer.Serialize(
                Timings.OrderBy(t => t.Key).ToDictionary(t => t.Key, t => new
                {
                    medianMs = Median(t.Value.Loads),
                    answerMedianMs = Median(t.Value.Answers),
                    runsMs = t.Value.Loads.Select(v => Math.Round(v, 1)),
                }),
                new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    private static double Median(List<double> values) => Math.Round(values.Order().ElementAt(values.Count / 2), 1);

    [GeneratedRegex(@"\b[a-z]+(?:_[a-z0-9]+)+(?:\.v\d+)?\b")]
    private static partial Regex SnakeCase();

    [GeneratedRegex(@"\b(?:[A-Z][a-z]+){2,}\b")]
    private static partial Regex PascalCase();
}
