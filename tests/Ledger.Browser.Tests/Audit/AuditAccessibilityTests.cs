using Deque.AxeCore.Playwright;
using Ledger.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests.Audit;

/// <summary>
/// axe-core finds no serious or critical accessibility problem on the auditors' pages, in either
/// language, on a laptop and on a phone: labels on every input, headings in order, enough contrast.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AuditAccessibilityTests(ConsoleScenario scenario, Chromium chromium)
{
    public static TheoryData<string> Pages() =>
    [
        "/audit",
        $"/audit/commitments/{AuditBrowsing.Corridor}?at=2023-06-30",
        "/audit/views?at=2023-10-31",
        "/audit/access-log",
        "/audit/export",
        "/audit/verify",
    ];

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task An_auditors_page_has_no_serious_or_critical_accessibility_problem(string path)
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "auditor");

        var found = new List<string>();
        foreach (var language in new[] { "zh", "en" })
        {
            await traffic.UseLanguageAsync(language);
            foreach (var (width, height) in Screens.Sizes)
            {
                await traffic.Page.SetViewportSizeAsync(width, height);
                await traffic.GotoAsync(path);
                found.AddRange(await SeriousAsync(traffic.Page, $"{language} {width}"));
            }
        }

        Assert.True(found.Count == 0, $"{path}:\n  " + string.Join("\n  ", found));
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task The_verify_page_with_its_outcome_and_the_offline_copy_have_none_either()
    {
        await scenario.Host.CheckpointAsync();
        var events = await scenario.Host.EventsAsync(AuditBrowsing.Corridor);
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "auditor");
        var page = traffic.Page;
        await traffic.GotoAsync("/audit/verify");
        await page.Locator("#verify-key").FillAsync(scenario.Host.LedgerKey());
        await page.GetByRole(AriaRole.Button, new() { Name = "固定此公钥" }).ClickAsync();
        await traffic.GotoAsync($"/audit/verify?commitment={AuditBrowsing.Corridor}&sequence={events[0].Sequence}");
        await Expect(page.Locator("[data-verify-output] .verify-headline")).ToBeVisibleAsync();
        var found = (await SeriousAsync(page, "verified")).ToList();

        // The offline copy, as saved: checked in a context that lets axe's own script past the copy's policy.
        var copy = await page.APIRequest.GetAsync("/audit/verify/offline");
        Assert.Equal(200, copy.Status);
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = true });
        var offline = await context.NewPageAsync();
        await offline.SetContentAsync(await copy.TextAsync());
        found.AddRange(await SeriousAsync(offline, "offline copy"));

        Assert.True(found.Count == 0, string.Join("\n  ", found));
        traffic.AssertSelfContained();
    }

    private static async Task<IEnumerable<string>> SeriousAsync(IPage page, string where)
    {
        var result = await page.RunAxe();
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{where}: {v.Impact} {v.Id} ({v.Help}) at {string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))}");
    }
}
