using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ledger.Api.Tests.Support;
using Ledger.Browser.Tests.Support;
using Ledger.Contracts;
using Ledger.Domain;
using Ledger.Domain.Commitments;
using Ledger.Infrastructure.Writing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests;

/// <summary>
/// The supervisors' pages (<c>/overview</c>, <c>/overdue</c>, <c>/rectifications</c>, <c>/scorecards</c>) in a
/// real browser on the shared loaded scenario, checked against the API's answers for the same data
/// (<c>/api/supervision/…</c>), never against numbers written here. The one write, a progress report,
/// goes to a01-joint-river-patrols for 2026, which no other test writes.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class SupervisingPagesTests(ConsoleScenario scenario, Chromium chromium) : IAsyncLifetime
{
    private const string Patrols = "a01-joint-river-patrols";
    private const string Liling = "430281";

    public Task InitializeAsync() => scenario.WaitForViewsAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_overview_shows_every_county_in_its_province_coloured_and_counted_as_the_views_say()
    {
        var registered = (await ApiAsync("/api/governments?limit=200"))["items"]!.AsArray();
        var compliance = (await ApiAsync("/api/supervision/governments?limit=200"))["items"]!.AsArray().ToDictionary(g => (string)g!["id"]!);
        await using var traffic = await OpenAsync("supervisor");

        await traffic.GotoAsync("/overview");
        var page = traffic.Page;

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "总览", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("p.freshness")).ToContainTextAsync(FreshnessWords());
        await Expect(page.Locator("section[data-province=Hunan] h3")).ToHaveTextAsync("湖南省");
        await Expect(page.Locator("section[data-province=Jiangxi] h3")).ToHaveTextAsync("江西省");
        await Expect(page.Locator("article[data-government]")).ToHaveCountAsync(registered.Count);
        foreach (var government in registered)
        {
            var id = (string)government!["governmentId"]!;
            var view = compliance[id]!;
            var tile = page.Locator($"section[data-province={(string)government["province"]!}] article[data-government='{id}']");
            await Expect(tile.Locator("h4")).ToContainTextAsync((string)government["nameZh"]!);
            var rag = (string)view["rag"]!;
            await Expect(tile).ToHaveClassAsync(new Regex($"\\btile {rag.ToLowerInvariant()}\\b"));
            await Expect(tile.Locator("h4 .badge")).ToHaveTextAsync(RagWords[rag]);
            await Expect(tile.Locator("[data-count=overdue] dd")).ToHaveTextAsync(Count(view["overdueItems"]));
            await Expect(tile.Locator("[data-count=orders] dd")).ToHaveTextAsync(Count(view["openRectifications"]));
            await Expect(tile.Locator("[data-count=led] dd")).ToHaveTextAsync(Count(view["led"]));
        }
        // The tiles are not all alike: the scenario has counties of more than one colour.
        Assert.True(compliance.Values.Select(g => (string)g!["rag"]!).Distinct().Count() > 1);

        // Agreement progress by task area: the same figures as the API's roll-up, in the table beside a drawn chart.
        var areas = (await ApiAsync("/api/supervision/areas?scope=taskArea"))["items"]!.AsArray();
        Assert.NotEmpty(areas);
        await Expect(page.Locator("#areas ~ .card [data-chart-drawn=true] svg").First).ToBeVisibleAsync();
        foreach (var area in areas)
        {
            var row = page.Locator($"table[data-view=areas] tr[data-area={(string)area!["key"]!}]");
            await Expect(row.Locator("td").Nth(2)).ToHaveTextAsync(Percent((decimal)area["progress"]!));
            await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync(Count(area["commitments"]));
        }

        // A tile links to its county's commitments, each to its own page.
        await page.Locator($"article[data-government='{Liling}'] a.more").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "醴陵市的承诺事项" })).ToBeVisibleAsync();
        var standing = (await ApiAsync($"/api/supervision/commitments?government={Liling}&limit=200"))["items"]!.AsArray();
        await Expect(page.Locator("table[data-view=commitments] tbody tr")).ToHaveCountAsync(standing.Count);
        foreach (var c in standing)
        {
            var id = (string)c!["id"]!;
            await Expect(page.Locator($"table[data-view=commitments] tr[data-id='{id}'] a")).ToHaveAttributeAsync("href", $"/commitments/{id}");
        }
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_report_appended_through_the_writer_shows_on_the_overview_once_the_views_catch_up()
    {
        await using var traffic = await OpenAsync("supervisor");
        await traffic.GotoAsync("/overview");
        var reports = traffic.Page.Locator($"article[data-government='{Liling}'] [data-count=reports] dd");
        var before = int.Parse(await reports.InnerTextAsync(), CultureInfo.InvariantCulture);

        var reportId = "views-patrols-" + Guid.NewGuid().ToString("N")[..8];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var writer = scenario.Host.Services.GetRequiredService<LedgerWriter>();
        var official = new Actor($"government.{Liling}", ActorRole.Government, Liling);
        var now = scenario.Host.Clock.GetUtcNow();
        await writer.ExecuteAsync<CommitmentState>(StreamKeys.Commitment(Patrols), null, CommitmentState.Evolve,
            s => CommitmentDecider.Decide(s, new ReportProgress(Patrols, reportId, "2026", DateOnly.FromDateTime(now.UtcDateTime),
                [new IndicatorValue("joint-patrols", 2)], "Two joint patrols on the Lu river by June.", official, now)),
            new RequestContext(official, Guid.NewGuid().ToString()), timeout.Token);
        await scenario.WaitForViewsAsync();

        await traffic.GotoAsync("/overview");
        await Expect(reports).ToHaveTextAsync((before + 1).ToString(CultureInfo.InvariantCulture));
        var latest = traffic.Page.Locator($"ol.latest-reports li[data-report='{reportId}']");
        await Expect(latest).ToContainTextAsync("醴陵市");
        await Expect(latest).ToContainTextAsync("2026年");
        await Expect(latest).ToContainTextAsync("2 patrols");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task The_overdue_queue_filters_sorts_and_pages_as_the_API_does()
    {
        var all = (await ApiAsync("/api/supervision/overdue?limit=200"))["items"]!.AsArray();
        Assert.NotEmpty(all);
        await using var traffic = await OpenAsync("supervisor");
        await traffic.GotoAsync("/overdue");
        var page = traffic.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "逾期事项", Level = 1 })).ToBeVisibleAsync();
        Assert.Equal(Ids(all, "item"), await RowIdsAsync(page, "overdue"));

        // The form's fields are the API's parameters: latest due first, one a page, then page after page by the cursor.
        await page.GetByLabel("排序").SelectOptionAsync("-dueOn");
        await page.GetByLabel("每页条数").FillAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "筛选" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("sort=-dueOn"));
        Assert.Equal(all.Count, await FollowPagesAsync(page, "overdue", "item", "/api/supervision/overdue?sort=-dueOn&limit=1"));

        // A county's items only, days overdue as the API counts them.
        var county = (string)all[0]!["item"]!["leadGovernmentId"]!;
        await traffic.GotoAsync($"/overdue?government={county}");
        var led = (await ApiAsync($"/api/supervision/overdue?government={county}"))["items"]!.AsArray();
        Assert.Equal(Ids(led, "item"), await RowIdsAsync(page, "overdue"));
        foreach (var entry in led)
        {
            var row = page.Locator($"table[data-view=overdue] tr[data-id='{(string)entry!["item"]!["id"]!}']");
            await Expect(row).ToContainTextAsync($"{Count(entry["daysOverdue"])} 天");
            await Expect(row.Locator("a")).ToHaveAttributeAsync("href", $"/commitments/{(string)entry["item"]!["commitmentId"]!}");
        }
        // Another county's filter leaves none of these.
        var other = (string)(await ApiAsync("/api/governments?limit=200"))["items"]!.AsArray().Select(g => g!["governmentId"]).First(g => (string)g! != county)!;
        await traffic.GotoAsync($"/overdue?government={other}");
        Assert.Equal(Ids((await ApiAsync($"/api/supervision/overdue?government={other}"))["items"]!.AsArray(), "item"), await RowIdsAsync(page, "overdue"));
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task The_rectification_tracker_filters_sorts_and_pages_as_the_API_does()
    {
        await using var traffic = await OpenAsync("supervisor");
        var page = traffic.Page;
        await traffic.GotoAsync("/rectifications?sort=-orderedAt&limit=1");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "整改跟踪", Level = 1 })).ToBeVisibleAsync();

        // Every page of the API's answer, followed by the console's own "next" links.
        var pages = await FollowPagesAsync(page, "rectifications", "rectification", "/api/supervision/rectifications?sort=-orderedAt&limit=1");
        Assert.True(pages >= 2, "the scenario has more than one rectification order");

        // Open orders only, and a status, chosen in the form.
        await traffic.GotoAsync("/rectifications");
        await page.GetByLabel("是否办结").SelectOptionAsync("true");
        await page.GetByRole(AriaRole.Button, new() { Name = "筛选" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("open=true"));
        var open = (await ApiAsync("/api/supervision/rectifications?open=true"))["items"]!.AsArray();
        Assert.Equal(Ids(open, "rectification"), await RowIdsAsync(page, "rectifications"));
        await traffic.GotoAsync("/rectifications?status=Accepted");
        var accepted = (await ApiAsync("/api/supervision/rectifications?status=Accepted"))["items"]!.AsArray();
        Assert.NotEmpty(accepted);
        Assert.Equal(Ids(accepted, "rectification"), await RowIdsAsync(page, "rectifications"));
        await Expect(page.Locator("table[data-view=rectifications] tbody .badge").First).ToHaveTextAsync("整改验收通过");
        foreach (var entry in accepted)
        {
            var r = entry!["rectification"]!;
            await Expect(page.Locator($"table[data-view=rectifications] tr[data-id='{(string)r["id"]!}'] a"))
                .ToHaveAttributeAsync("href", $"/commitments/{(string)r["commitmentId"]!}");
        }
        traffic.AssertSelfContained();
    }

    [Theory]
    [InlineData("/overdue?period=2024-Q5", "period", "请填写年份（2024）、季度（2024-Q2）或月份（2024-06）。")]
    [InlineData("/overdue?kind=Someday", "kind", "请从列表中选择类型。")]
    [InlineData("/rectifications?limit=0", "limit", "每页条数须在 1 至 200 之间。")]
    [InlineData("/rectifications?open=maybe", "open", "请选择是否办结。")]
    [InlineData("/scorecards?sort=luck", "sort", "请从列表中选择排序方式。")]
    public async Task A_bad_filter_value_is_explained_beside_its_field_not_answered_with_an_error_page(string path, string field, string words)
    {
        // The API refuses the same query, naming the same field.
        using (var client = scenario.Host.Client("supervisor"))
        using (var refused = await client.GetAsync("/api/supervision" + path))
            Assert.Equal(field, (string?)(await refused.ReadAsync())["field"]);
        await using var traffic = await OpenAsync("supervisor");

        var response = await traffic.GotoAsync(path);

        Assert.Equal(200, response.Status);
        var error = traffic.Page.Locator($"#filter-{field}-error");
        await Expect(error).ToHaveTextAsync(words);
        await Expect(traffic.Page.Locator($"#filter-{field}")).ToHaveAttributeAsync("aria-describedby", new Regex($"filter-{field}-error"));
        await Expect(traffic.Page.Locator("table[data-view]")).ToHaveCountAsync(path.StartsWith("/scorecards", StringComparison.Ordinal) ? 1 : 0);
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_forged_page_link_is_refused_above_the_list_with_a_way_back_to_the_first_page()
    {
        await using var traffic = await OpenAsync("supervisor");

        await traffic.GotoAsync("/overdue?sort=-dueOn&cursor=not-a-cursor");

        await Expect(traffic.Page.Locator("p.form-error")).ToContainTextAsync("此翻页链接无效。");
        await Expect(traffic.Page.Locator("p.form-error a")).ToHaveAttributeAsync("href", "/overdue?sort=-dueOn");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task Scorecards_show_each_rank_shared_by_equal_scores_with_bands_components_and_appeals()
    {
        var cards = (await ApiAsync("/api/supervision/scorecards?limit=200"))["items"]!.AsArray();
        var cycle = (string)cards[0]!["cycleId"]!;
        var ranking = cards.Where(c => (string)c!["cycleId"]! == cycle).ToList();
        await using var traffic = await OpenAsync("supervisor");

        await traffic.GotoAsync("/scorecards");
        var page = traffic.Page;

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "考核结果", Level = 1 })).ToBeVisibleAsync();
        var table = page.Locator("table[data-view=scorecards]");
        await Expect(table.Locator("thead th[data-component=indicatorAchievement]")).ToHaveTextAsync("指标完成（40）");
        await Expect(table.Locator("thead th[data-component=milestonesOnTime]")).ToHaveTextAsync("节点按期（20）");
        await Expect(table.Locator("thead th[data-component=jointActions]")).ToHaveTextAsync("联合行动（5）");
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(ranking.Count);
        var totals = ranking.Select(c => (decimal)c!["total"]!).ToList();
        Assert.True(totals.Distinct().Count() < totals.Count, "the scenario has equal scores");
        foreach (var card in ranking)
        {
            var total = (decimal)card!["total"]!;
            var shared = 1 + totals.Count(t => t > total);
            var row = table.Locator($"tr[data-government='{(string)card["governmentId"]!}']");
            await Expect(row).ToHaveAttributeAsync("data-rank", shared.ToString(CultureInfo.InvariantCulture));
            await Expect(row.Locator("td").First).ToContainTextAsync(totals.Count(t => t == total) > 1 ? $"并列第 {shared}" : $"第 {shared}");
            await Expect(row.Locator("td.total")).ToContainTextAsync(Number(total));
            await Expect(row.Locator(".badge").First).ToHaveTextAsync(BandWords[(string)card["band"]!]);
            // The scenario's cycle is scored by method 2.0: a component with nothing to measure is left out (不计入), not zero.
            foreach (var component in card["components"]!.AsArray())
            {
                var cell = row.Locator($"td[data-component={(string)component!["name"]!}]");
                if ((int)component["expected"]! == 0)
                {
                    await Expect(cell).ToHaveAttributeAsync("data-left-out", "true");
                    await Expect(cell).ToHaveTextAsync("— 不计入");
                }
                else
                {
                    await Expect(cell).ToHaveTextAsync(Number((decimal)component["points"]!));
                }
            }
        }
        Assert.Contains(ranking, c => c!["components"]!.AsArray().Any(x => (int)x!["expected"]! == 0));
        await Expect(page.Locator("[data-note=left-out]")).ToContainTextAsync("不计入总分");

        // Appeals and their outcome: a dismissed appeal leaves the score as it was (维持).
        var appealed = ranking.Where(c => c!["appeals"]!.AsArray().Count > 0).ToList();
        Assert.NotEmpty(appealed);
        foreach (var card in appealed)
        {
            foreach (var appeal in card!["appeals"]!.AsArray())
            {
                var entry = page.Locator($"ol.appeals li[data-appeal='{(string)appeal!["appealId"]!}']");
                await Expect(entry).ToContainTextAsync((string)appeal["grounds"]!);
                await Expect(entry.Locator(".badge")).ToHaveTextAsync((bool?)appeal["upheld"] switch
                {
                    false => "维持原评分",
                    true => $"改变评分为 {Number((decimal)appeal["revisedTotal"]!)}",
                    null => "申诉待处理",
                });
            }
        }

        // Each county's score by cycle: a chart drawn, and the same figures in the table.
        await Expect(page.Locator("#trend ~ .card [data-chart-drawn=true] svg").First).ToBeVisibleAsync();
        foreach (var card in ranking)
            await Expect(page.Locator($"table[data-view=score-trend] tr[data-government='{(string)card!["governmentId"]!}']"))
                .ToContainTextAsync(Number((decimal?)card["revisedTotal"] ?? (decimal)card["total"]!));

        // The band filter is the API's.
        await traffic.GotoAsync($"/scorecards?cycle={cycle}&band=Good");
        Assert.Equal(ranking.Where(c => (string)c!["band"]! == "Good").Select(c => (string)c!["governmentId"]!).ToList(),
            await DataAsync(page.Locator("table[data-view=scorecards] tbody tr"), "government"));
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_county_with_nothing_to_measure_is_shown_as_not_scored_with_no_score_and_no_rank()
    {
        // A cycle long before the scenario, weighted on indicator achievement alone: no county has an indicator
        // period ending in it, so under 2.0 none is scored. Its start is the earliest, so it is never the cycle
        // shown by default, and no scorecard view row is written for it.
        const string Cycle = "2001";
        using (var supervisor = scenario.Host.Client("supervisor"))
        {
            if ((await supervisor.GetAsync($"/api/evaluations/{Cycle}")).StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                await supervisor.PostJsonAsync("/api/evaluations", new
                {
                    cycleId = Cycle, period = Cycle, start = "2001-01-01", end = "2001-12-31", methodVersion = "xgb-eval-2.0",
                    weights = new { indicatorAchievement = 100, milestonesOnTime = 0, reportingTimeliness = 0, verificationPassRate = 0, rectificationOnTime = 0, jointActions = 0 },
                }).Ok();
                await supervisor.PostAsync($"/api/evaluations/{Cycle}/scorecards", null).Ok();
            }
        }
        var cycle = await ApiAsync($"/api/evaluations/{Cycle}");
        var notScored = cycle["notScored"]!.AsArray().Select(n => (string)n!["governmentId"]!).ToList();
        var registered = (await ApiAsync("/api/governments?limit=200"))["items"]!.AsArray();
        Assert.Equal(registered.Count, notScored.Count);
        Assert.Empty(cycle["scorecards"]!.AsArray());
        await scenario.WaitForViewsAsync();

        await using var traffic = await OpenAsync("supervisor");
        await traffic.GotoAsync($"/scorecards?cycle={Cycle}");
        var page = traffic.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "2001年不评分县市区" })).ToBeVisibleAsync();
        await Expect(page.Locator("ul[data-view=not-scored] li")).ToHaveCountAsync(notScored.Count);
        foreach (var government in registered)
        {
            var item = page.Locator($"ul[data-view=not-scored] li[data-government='{(string)government!["governmentId"]!}']");
            await Expect(item).ToContainTextAsync((string)government["nameZh"]!);
            await Expect(item.Locator(".badge")).ToHaveTextAsync("不评分");
        }
        // No rank, no total: the ranking has no row for them.
        await Expect(page.Locator("table[data-view=scorecards] tbody tr")).ToHaveCountAsync(0);
        // A band filter leaves them out (they have no band); a place filter keeps the county's own.
        await traffic.GotoAsync($"/scorecards?cycle={Cycle}&band=Excellent");
        await Expect(page.Locator("ul[data-view=not-scored]")).ToHaveCountAsync(0);
        await traffic.GotoAsync($"/scorecards?cycle={Cycle}&government={Liling}");
        Assert.Equal([Liling], await DataAsync(page.Locator("ul[data-view=not-scored] li"), "government"));
        await Screens.CaptureAsync(traffic, $"/scorecards?cycle={Cycle}", "scorecards-not-scored",
            p => Expect(p.Locator("ul[data-view=not-scored]")).ToBeVisibleAsync());
        traffic.AssertSelfContained();

        // The county's own page says so in words, with no rank and no appeal form.
        await using var county = await chromium.OpenAsync(scenario.Origin);
        await county.SignInAsync(scenario.Host, "government", Liling);
        await PageShots.ChooseLanguageAsync(county, "zh");
        await county.GotoAsync("/county/scorecards");
        var card = county.Page.Locator("section.card[data-not-scored=true]");
        await Expect(card.GetByRole(AriaRole.Heading)).ToHaveTextAsync("2001年 · 不评分");
        await Expect(card).ToContainTextAsync("不评分、不排名");
        await Expect(card.Locator("form")).ToHaveCountAsync(0);
        await Screens.CaptureAsync(county, "/county/scorecards", "county-scorecards-not-scored",
            p => Expect(p.Locator("section.card[data-not-scored=true]")).ToBeVisibleAsync());
        county.AssertSelfContained();
    }

    [Fact]
    public async Task Roles_that_may_not_open_a_supervisors_page_are_sent_to_forbidden()
    {
        // (No console account holds the administrator's role: the administrator works with the command-line tool.)
        foreach (var (role, government) in new[] { ("government", (string?)"430181") })
        {
            await using var traffic = await chromium.OpenAsync(scenario.Origin);
            await traffic.SignInAsync(scenario.Host, role, government);
            await PageShots.ChooseLanguageAsync(traffic, "zh");
            foreach (var path in new[] { "/overview", "/overdue", "/rectifications", "/scorecards" })
            {
                await traffic.Page.GotoAsync(path);
                await Expect(traffic.Page).ToHaveURLAsync(new Regex("/forbidden"));
                await Expect(traffic.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("当前账号无权访问此页面。");
            }
        }
        foreach (var role in new[] { "decision", "auditor" })
        {
            await using var traffic = await OpenAsync(role);
            foreach (var path in new[] { "/overview", "/overdue", "/rectifications", "/scorecards" })
            {
                await traffic.GotoAsync(path);
                await Expect(traffic.Page).ToHaveURLAsync(new Regex(Regex.Escape(path) + "$"));
            }
            traffic.AssertSelfContained();
        }
    }

    [Fact]
    public async Task Every_supervisors_page_is_screenshotted_in_both_languages_at_both_sizes_with_no_serious_accessibility_problem()
    {
        var problems = new List<string>();
        foreach (var language in new[] { "zh", "en" })
        {
            await using var traffic = await OpenAsync("supervisor", language);
            foreach (var (path, name) in new[] { ("/overview?government=430281", "overview"), ("/overdue", "overdue"), ("/rectifications", "rectifications"), ("/scorecards", "scorecards") })
            {
                foreach (var width in new[] { 1280, 390 })
                {
                    await traffic.Page.SetViewportSizeAsync(width, width == 1280 ? 800 : 844);
                    await traffic.GotoAsync(path);
                    await Expect(traffic.Page.Locator("html")).ToHaveAttributeAsync("lang", language == "zh" ? "zh-CN" : "en");
                    if (await traffic.Page.Locator("[data-chart]").CountAsync() > 0)
                        await Expect(traffic.Page.Locator("[data-chart-drawn=true]").First).ToBeVisibleAsync();
                    await traffic.Page.ScreenshotAsync(new PageScreenshotOptions { Path = PageShots.PathFor($"{name}-{language}-{width}.png"), FullPage = true });
                    if (await PageShots.OverflowAsync(traffic.Page) is > 0 and var overflow)
                        problems.Add($"{name}-{language}-{width}: the page is {overflow} px wider than the screen");
                    // axe-core takes seconds a page here: each page in Chinese at both sizes and in English on the desktop.
                    if (language == "zh" || width == 1280)
                        problems.AddRange(await PageShots.SeriousAccessibilityProblemsAsync(traffic.Page, $"{name}-{language}-{width}"));
                }
            }
            traffic.AssertSelfContained();
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static readonly Dictionary<string, string> RagWords = new() { ["Green"] = "绿", ["Amber"] = "黄", ["Red"] = "红" };

    private static readonly Dictionary<string, string> BandWords = new() { ["Excellent"] = "优秀", ["Good"] = "良好", ["Pass"] = "合格", ["Fail"] = "不合格" };

    private async Task<PageTraffic> OpenAsync(string role, string language = "zh")
    {
        var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, role);
        await PageShots.ChooseLanguageAsync(traffic, language);
        return traffic;
    }

    private Task<JsonNode> ApiAsync(string path) => scenario.Host.GetJsonAsync(path, "supervisor");

    private static List<string> Ids(JsonArray items, string wrapper) => [.. items.Select(i => (string)i![wrapper]!["id"]!)];

    private static async Task<List<string>> RowIdsAsync(IPage page, string view)
    {
        await Expect(page.Locator($"table[data-view={view}]").Or(page.Locator(".empty"))).ToBeVisibleAsync();
        return await DataAsync(page.Locator($"table[data-view={view}] tbody tr"), "id");
    }

    /// <summary>
    /// Compares the page shown with the API's answer for the same query, then follows the page's own
    /// "next" link while the API names a next page (the link must carry the API's cursor); the pages seen.
    /// </summary>
    private async Task<int> FollowPagesAsync(IPage page, string view, string wrapper, string apiPath)
    {
        var pages = 0;
        while (true)
        {
            var answer = await ApiAsync(apiPath);
            var expected = Ids(answer["items"]!.AsArray(), wrapper);
            // Enhanced navigation moves the address first and the rows after: wait for the rows of this page.
            if (expected.Count > 0)
                await Expect(page.Locator($"table[data-view={view}] tbody tr").First).ToHaveAttributeAsync("data-id", expected[0]);
            Assert.Equal(expected, await RowIdsAsync(page, view));
            pages++;
            if (answer["next"] is not { } next)
            {
                await Expect(page.Locator("nav.pager a.next")).ToHaveCountAsync(0);
                return pages;
            }
            var cursor = (string)next!;
            await Expect(page.Locator("nav.pager a.next")).ToHaveAttributeAsync("href", new Regex($"cursor={Regex.Escape(cursor)}$"));
            await page.Locator("nav.pager a.next").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"cursor={Regex.Escape(cursor)}$"));
            apiPath = Regex.Replace(apiPath, "&cursor=.*$", "") + $"&cursor={cursor}";
        }
    }

    /// <summary>A data attribute of every element matched, in document order.</summary>
    private static async Task<List<string>> DataAsync(ILocator rows, string name) =>
        [.. (await rows.EvaluateAllAsync<string>($"rows => rows.map(r => r.dataset.{name}).join('\\n')")).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private static string Count(JsonNode? n) => ((int)n!).ToString("#,0", CultureInfo.InvariantCulture);

    private static string Number(decimal value) =>
        value == decimal.Truncate(value) ? value.ToString("#,0", CultureInfo.InvariantCulture) : value.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static string Percent(decimal ratio) => (ratio * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static Regex FreshnessWords() => FreshnessPattern();

    [GeneratedRegex(@"^数据更新于 \d+ (秒|分钟|小时|天)前")]
    private static partial Regex FreshnessPattern();
}
