using System.Text.RegularExpressions;
using Ledger.Browser.Tests.Support;
using Ledger.Infrastructure.Audit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests.Audit;

/// <summary>
/// An auditor in the console: finds a commitment, reads its history in words, the record as it was on
/// a date and what changed since, the supervision views as they were; and the access log holds each of
/// those replays under the person who made them, exactly as it holds the API's.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AuditHistoryPagesTests(ConsoleScenario scenario, Chromium chromium)
{
    [Fact]
    public async Task The_list_filters_by_lead_government_and_status_and_opens_a_history()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "auditor");

        // Suichuan (360827) leads the corridor, which the scenario saw fulfilled.
        await traffic.GotoAsync("/audit?government=360827&status=Fulfilled");

        var page = traffic.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "承诺事项变更记录", Level = 1 })).ToBeVisibleAsync();
        var rows = page.Locator("table tbody tr");
        await Expect(rows.Filter(new() { HasText = "Suichuan–Guidong expressway corridor" })).ToHaveCountAsync(1);
        foreach (var row in await rows.AllAsync())
        {
            await Expect(row).ToContainTextAsync("遂川县");
            await Expect(row).ToContainTextAsync("已销号");
        }
        // A status the ledger does not have is refused beside its field, in words.
        await traffic.GotoAsync("/audit?status=Lost");
        await Expect(page.Locator("#status-error")).ToHaveTextAsync("请从列表中选择状态。");

        await traffic.GotoAsync("/audit?government=360827&status=Fulfilled");
        await page.GetByRole(AriaRole.Link, new() { Name = "Suichuan–Guidong expressway corridor: feasibility approved, construction started" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/audit/commitments/{AuditBrowsing.Corridor}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "全部记录（最新在前）" })).ToBeVisibleAsync();
        traffic.AssertSelfContained();

        await traffic.ScreenshotAsync("/audit", "audit-list");
    }

    [Fact]
    public async Task An_unknown_commitment_is_answered_in_words()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "auditor");

        await traffic.GotoAsync("/audit/commitments/no-such-commitment");

        await Expect(traffic.Page.Locator("main")).ToContainTextAsync("台账中没有这个承诺事项。");
    }

    [Fact]
    public async Task The_history_shows_each_event_in_words_the_record_as_of_a_date_and_the_changes_since()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "auditor");
        var page = traffic.Page;

        await traffic.GotoAsync($"/audit/commitments/{AuditBrowsing.Corridor}");
        // Every event is listed, newest first, each as words, never its stored name.
        var events = await scenario.Host.EventsAsync(AuditBrowsing.Corridor);
        var items = page.Locator("ol.events > li");
        await Expect(items).ToHaveCountAsync(events.Count);
        await Expect(items.Last.Locator("h3")).ToHaveTextAsync("登记承诺事项");
        var june = items.Filter(new() { HasText = "填报期：2023年，数据截至 2023年6月15日" });
        await Expect(june.Locator("h3")).ToHaveTextAsync("填报进展");
        await Expect(june).ToContainTextAsync("Pre-construction work plan completed（2023年）实际值：35%");
        await Expect(june).ToContainTextAsync("2023年6月20日 14:00（北京时间）");
        await Expect(page.Locator("body")).Not.ToContainTextAsync("progress_reported");

        // The record as it was at the end of 30 June 2023 (Beijing time), and what has changed since.
        await page.GetByLabel("截至某日状态").FillAsync("2023-06-30");
        await page.GetByRole(AriaRole.Button, new() { Name = "查看" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"\?at=2023-06-30$"));
        var asOf = page.Locator("section.as-of-record");
        await Expect(asOf.GetByRole(AriaRole.Heading, new() { Name = "截至2023年6月30日的状态" })).ToBeVisibleAsync();
        await Expect(asOf.Locator("[data-as-of=status]")).ToHaveTextAsync("推进中");
        await Expect(asOf.Locator("tr", new() { HasText = "Feasibility study approved" })).ToContainTextAsync("计划中");
        await Expect(asOf.Locator("tr", new() { HasText = "Pre-construction work plan completed" })).ToContainTextAsync("35%");

        var since = page.Locator("section.changes-since");
        await Expect(since.GetByRole(AriaRole.Heading, new() { Name = "2023年6月30日以来的变更（此后变更）" })).ToBeVisibleAsync();
        var figure = since.Locator("tr", new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = "Pre-construction work plan completed（2023年）实际值" }) });
        await Expect(figure.Locator("td").Nth(0)).ToHaveTextAsync("35%");
        await Expect(figure.Locator("td").Nth(1)).ToHaveTextAsync("55%");
        await Expect(figure.Locator("td").Nth(2)).ToContainTextAsync("填报进展 · 2024年1月12日 14:00（北京时间）");
        var milestone = since.Locator("tr", new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = "时间节点“Feasibility study approved”状态" }) });
        await Expect(milestone.Locator("td").Nth(0)).ToHaveTextAsync("计划中");
        await Expect(milestone.Locator("td").Nth(1)).ToHaveTextAsync("已完成");
        var status = since.Locator("tr", new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = "状态", Exact = true }) });
        await Expect(status.Locator("td").Nth(1)).ToHaveTextAsync("已销号");
        // Events after that day are marked in the history.
        await Expect(page.Locator("ol.events > li.after").First).ToContainTextAsync("此后变更");

        // A date still to come is refused beside the field; nothing is replayed for it.
        await traffic.GotoAsync($"/audit/commitments/{AuditBrowsing.Corridor}?at=2099-01-01");
        await Expect(page.Locator("#at-error")).ToHaveTextAsync("该日期尚未到来，台账只能显示已有的记录。");
        await Expect(page.Locator("section.as-of-record")).ToHaveCountAsync(0);
        traffic.AssertSelfContained();

        await traffic.ScreenshotAsync($"/audit/commitments/{AuditBrowsing.Corridor}?at=2023-06-30", "audit-history",
            p => Expect(p.Locator("section.changes-since table")).ToBeVisibleAsync());
    }

    [Fact]
    public async Task The_views_as_they_were_replay_the_log_to_the_end_of_the_day()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "supervisor");
        var page = traffic.Page;

        // Chaling (430224) at the end of October 2023: the scenario's overdue milestone and its order (README's example).
        await traffic.GotoAsync("/audit/views?at=2023-10-31&government=430224");

        var views = scenario.Host.Services.GetRequiredService<Marten.IDocumentStore>();
        await using var session = views.QuerySession();
        var expected = await ViewsAsOf.ReplayAsync(session, new DateTimeOffset(2023, 11, 1, 0, 0, 0, TimeSpan.FromHours(8)).AddTicks(-10), null, CancellationToken.None);
        var orders = expected.Rectifications(null, "430224", null);
        Assert.NotEmpty(orders);
        await Expect(page.Locator("[data-replay-point]")).ToContainTextAsync($"重放 {expected.Point.Events} 条记录，至序号 {expected.Point.LastSequence}");
        var tracker = page.Locator("section", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "2023年10月31日整改跟踪" }) });
        await Expect(tracker.Locator("tbody tr")).ToHaveCountAsync(orders.Count);
        await Expect(tracker.Locator("tbody tr").First).ToContainTextAsync("茶陵县");
        var compliance = page.Locator("tr[data-government='430224']");
        var chaling = expected.Documents.Held<Ledger.Projections.Supervision.GovernmentCompliance>("430224")!;
        await Expect(compliance.Locator("td").Nth(4)).ToHaveTextAsync(chaling.OpenRectifications.ToString(System.Globalization.CultureInfo.InvariantCulture));
        traffic.AssertSelfContained();

        await traffic.ScreenshotAsync("/audit/views?at=2023-10-31", "audit-views", p => Expect(p.Locator("[data-replay-point]")).ToBeVisibleAsync());
    }

    [Fact]
    public async Task The_access_log_holds_the_consoles_replays_under_the_person_who_made_them()
    {
        var log = scenario.Host.Services.GetRequiredService<AccessLog>();
        // The host's clock stands still, so entries are told apart by id: this test's come after the last one now.
        var (last, _) = await log.QueryAsync(new AccessLogQuery(null, null, null, null, 1, null), CancellationToken.None);
        var before = last.FirstOrDefault()?.Id ?? 0;
        string name;
        await using (var auditor = await chromium.OpenAsync(scenario.Origin))
        {
            name = await auditor.SignInAsync(scenario.Host, "auditor");
            await auditor.GotoAsync("/audit/commitments/a01-water-class-iii?at=2024-03-31");
            await auditor.GotoAsync("/audit/views?at=2024-03-31&agreement=xgb-2021-a01");
            auditor.AssertSelfContained();
        }

        // In the table the API's replays go to: the person, the page's route, the ids and the date asked for, the outcome.
        var entries = (await log.QueryAsync(new AccessLogQuery(name, null, null, null, 200, null), CancellationToken.None)).Entries
            .Where(e => e.Id > before).ToList();
        var history = Assert.Single(entries, e => e.Action == "GET /audit/commitments/{CommitmentId}" && e.Target == "/audit/commitments/a01-water-class-iii");
        Assert.Equal(new AccessActor(name, "auditor", null), history.Actor);
        Assert.Contains("a01-water-class-iii", history.Subjects);
        Assert.Equal("2024-03-31", (string?)history.Filters["at"]);
        Assert.Equal(200, history.Status);
        var views = Assert.Single(entries, e => e.Action == "GET /audit/views");
        Assert.Contains("xgb-2021-a01", views.Subjects);

        // A supervisor reads them in the console, in words; reading the log is itself recorded.
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        var supervisor = await traffic.SignInAsync(scenario.Host, "supervisor");
        var page = traffic.Page;
        await traffic.GotoAsync($"/audit/access-log?actor={name}&subject=a01-water-class-iii");
        var row = page.Locator($"tr[data-entry='{history.Id}']");
        await Expect(row).ToContainTextAsync("承诺事项变更记录（控制台）");
        await Expect(row).ToContainTextAsync($"{name} · 审计人员");
        await Expect(row).ToContainTextAsync("a01-water-class-iii");
        await Expect(row).ToContainTextAsync("已答复");
        var (same, _) = await log.QueryAsync(new AccessLogQuery(name, "a01-water-class-iii", null, null, 50, null), CancellationToken.None);
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(same.Count);

        await traffic.GotoAsync($"/audit/access-log?actor={supervisor}");
        await Expect(page.Locator("tbody tr").First).ToContainTextAsync("查阅记录（控制台）");
        // A government official may not read it: refused, and the refusal is recorded too.
        await using var county = await chromium.OpenAsync(scenario.Origin);
        var official = await county.SignInAsync(scenario.Host, "government", "430181");
        await county.Page.GotoAsync("/audit/access-log");
        await Expect(county.Page).ToHaveURLAsync(new Regex("/forbidden"));
        var (refused, _) = await log.QueryAsync(new AccessLogQuery(official, null, null, null, 10, null), CancellationToken.None);
        Assert.Contains(refused, e => e.Id > before && e.Action == "GET /audit/access-log" && e.Status == 302);
        traffic.AssertSelfContained();

        await traffic.ScreenshotAsync("/audit/access-log", "audit-access-log", p => Expect(p.Locator("table tbody tr").First).ToBeVisibleAsync());
    }
}
