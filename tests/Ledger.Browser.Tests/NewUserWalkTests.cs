using Ledger.Browser.Tests.Audit;
using Ledger.Browser.Tests.Support;
using Ledger.Cli.Scenario;
using Ledger.Contracts;
using Ledger.Infrastructure.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests;

/// <summary>
/// The walk a new user takes after <c>./ops/ledger up</c>, in Chinese and in one go, with the demo
/// accounts <c>up</c> prints: Liuyang's official reports last month's water class; the joint office
/// sees it on the overview, follows it to the commitment and orders a rectification; Liuyang finds the
/// order under what is due; an auditor verifies that order's inclusion proof in the browser. Every
/// step goes through the pages a person uses (the sign-in form, links, forms); only the checkpoint is
/// signed directly, as the integrity worker does on its own schedule.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NewUserWalkTests(ConsoleScenario scenario, Chromium chromium)
{
    private const string Water = "a01-water-class-iii";

    [Fact]
    public async Task Liuyang_reports_the_joint_office_sees_it_and_orders_rectification_Liuyang_sees_it_due_and_an_auditor_verifies_the_order()
    {
        var book = scenario.Host.Services.GetRequiredService<AccountBook>();
        await DemoAccounts.OpenMissingAsync(book, AccountBook.Context(ConsoleSession.Administrator), CancellationToken.None);
        var narrative = "演示：本月跨界断面水质为Ⅱ类（" + Guid.NewGuid().ToString("N")[..6] + "）";
        var findings = "演示：鲁/萍交界断面上月监测报告未附采样记录（" + Guid.NewGuid().ToString("N")[..6] + "）";
        var today = DateOnly.FromDateTime(scenario.Host.Clock.GetUtcNow().AddHours(8).DateTime);
        var lastMonth = today.AddMonths(-1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

        // 1. Liuyang's official opens the address, is asked to sign in, and reports last month's class.
        await using (var liuyang = await SignInAsync("liuyang"))
        {
            var page = liuyang.Page;
            await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "本单位承诺事项" }).ClickAsync();
            await page.GetByRole(AriaRole.Row).Filter(new() { Has = page.Locator($"a[href='/commitments/{Water}']") })
                .GetByRole(AriaRole.Link, new() { Name = "填报进展" }).ClickAsync();
            await Expect(page.GetByLabel("填报期")).ToHaveValueAsync(lastMonth);
            await page.GetByLabel("Water-quality class of the month").SelectOptionAsync(new SelectOptionValue { Label = "Ⅱ类" });
            await page.GetByLabel("进展情况说明").FillAsync(narrative);
            await page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("进展情况已于");
            liuyang.AssertSelfContained();
        }
        var report = await LastAsync<ProgressReported>();
        Assert.Equal((lastMonth, "liuyang"), (report.Period, report.ReportedBy));

        // 2. The joint office finds the report on its overview, follows it, and orders a rectification.
        var due = today.AddDays(30);
        await using (var office = await SignInAsync("joint-office"))
        {
            var page = office.Page;
            await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "总览" }).ClickAsync();
            var shown = page.Locator($"ol.latest-reports li[data-report='{report.ReportId}']");
            await Expect(shown).ToContainTextAsync("浏阳市");
            await Expect(shown).ToContainTextAsync("Ⅱ类");
            await Expect(shown).ToContainTextAsync(ConsoleMonth(lastMonth));
            await shown.GetByRole(AriaRole.Link).ClickAsync();
            await Expect(page).ToHaveURLAsync($"{scenario.Origin.GetLeftPart(UriPartial.Authority)}/commitments/{Water}");

            await page.Locator("details[data-form=order] > summary").ClickAsync();
            var form = page.Locator("details[data-form=order] form");
            await Expect(form.GetByLabel("整改单位")).ToHaveValueAsync("430181");
            await form.GetByLabel("问题清单").FillAsync(findings);
            await form.GetByLabel("整改要求").FillAsync("补报采样记录\n说明监测断面位置");
            await form.GetByLabel("整改时限").FillAsync(due.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            await form.GetByRole(AriaRole.Button, new() { Name = "下发整改通知" }).ClickAsync();
            await Expect(page.Locator("[data-done=ordered]")).ToBeVisibleAsync();
            office.AssertSelfContained();
        }
        var ordered = await LastAsync<RectificationOrdered>();
        Assert.Equal((findings, "joint-office", due), (ordered.Findings, ordered.OrderedBy, ordered.DueOn));

        // 3. Liuyang sees the order under what is due, thirty days left.
        await using (var liuyang = await SignInAsync("liuyang"))
        {
            var page = liuyang.Page;
            await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "待办事项" }).ClickAsync();
            var order = page.Locator("article").Filter(new() { HasText = findings });
            await Expect(order).ToContainTextAsync("还剩 30 天");
            await Expect(order.GetByRole(AriaRole.Link, new() { Name = "反馈整改情况" }))
                .ToHaveAttributeAsync("href", $"/county/rectifications/{Water}/{ordered.RectificationId}");
            liuyang.AssertSelfContained();
        }

        // 4. Once a checkpoint covers it, an auditor pins the ledger's key and verifies the order in the browser.
        await scenario.Host.CheckpointAsync();
        var sequence = (await scenario.Host.EventsAsync(Water)).Last(e => e.Type == nameof(RectificationOrdered)).Sequence;
        await using (var auditor = await SignInAsync("auditor"))
        {
            var page = auditor.Page;
            await auditor.GotoAsync("/audit/verify");
            await page.Locator("#verify-key").FillAsync(scenario.Host.LedgerKey());
            await page.GetByRole(AriaRole.Button, new() { Name = "固定此公钥" }).ClickAsync();
            await Expect(page.Locator("[data-verify-pinned]")).ToContainTextAsync("已固定的公钥");

            await auditor.GotoAsync($"/audit/commitments/{Water}");
            var item = page.Locator($"#event-{sequence}");
            await Expect(item).ToContainTextAsync(findings);
            await item.GetByRole(AriaRole.Link, new() { Name = "验证" }).ClickAsync();
            await Expect(page.Locator($"#verify-{sequence} .verify-headline")).ToHaveTextAsync("✔ 已在本浏览器中独立验证");
            auditor.AssertSelfContained();
        }
    }

    /// <summary>A fresh browser at the address <c>up</c> prints, sent to sign in, signed in with a demo account's printed password.</summary>
    private async Task<PageTraffic> SignInAsync(string account)
    {
        var demo = DemoAccounts.All.Single(a => a.Name == account);
        var traffic = await chromium.OpenAsync(scenario.Origin);
        var page = traffic.Page;
        // Nothing is shown to someone not signed in: the address leads to the sign-in form.
        await traffic.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await page.Locator("#signin-name").FillAsync(demo.Name);
        await page.Locator("#signin-password").FillAsync(demo.Password);
        await page.Locator("form button[type=submit]").ClickAsync();
        await Expect(page.Locator("header .who")).ToContainTextAsync(demo.Name);
        return traffic;
    }

    /// <summary>The water commitment's latest event of a kind, as stored.</summary>
    private async Task<T> LastAsync<T>()
    {
        await using var session = scenario.Host.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        return (await session.Events.FetchStreamAsync(StreamKeys.Commitment(Water))).Select(e => e.Data).OfType<T>().Last();
    }

    private static string ConsoleMonth(string period) => $"{int.Parse(period[..4], System.Globalization.CultureInfo.InvariantCulture)}年{int.Parse(period[5..], System.Globalization.CultureInfo.InvariantCulture)}月";
}
