using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests.County;

/// <summary>
/// A county official reports progress in the console: the form is built from the commitment's
/// indicators, a bad value is answered beside its field in Chinese with nothing appended, and a form
/// sent twice appends once.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportingTests(Chromium chromium, ConsoleScenario scenario)
{
    private const string Liuyang = "430181";
    private const string Water = "a01-water-class-iii";

    [Fact]
    public async Task Liuyang_reports_last_months_water_class_and_it_is_on_record()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        var official = await traffic.SignInAsync(scenario.Host, "government", Liuyang);
        var before = await RecordAsync();

        await traffic.GotoAsync("/county");
        await traffic.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = (string)before.GetProperty("title").GetString()! })
            .GetByRole(AriaRole.Link, new() { Name = "填报进展" }).ClickAsync();
        await Expect(traffic.Page.GetByRole(AriaRole.Heading, new() { Name = "填报进展", Level = 1 })).ToBeVisibleAsync();
        var lastMonth = LastMonth();
        await Expect(traffic.Page.GetByLabel("填报期")).ToHaveValueAsync(lastMonth);
        // Units in the page's language, as the commitment's page writes them (the scenario records "months").
        var values = traffic.Page.Locator("fieldset");
        await Expect(values).ToContainTextAsync("个月");
        await Expect(values).Not.ToContainTextAsync("months");
        await traffic.Page.GetByLabel("Water-quality class of the month").SelectOptionAsync(new SelectOptionValue { Label = "Ⅲ类" });
        await traffic.Page.GetByLabel("进展情况说明").FillAsync("本月跨界断面水质为Ⅲ类。");
        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();

        await Expect(traffic.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("进展情况已于");
        var after = await RecordAsync();
        Assert.Equal(before.GetProperty("version").GetInt64() + 1, after.GetProperty("version").GetInt64());
        var report = after.GetProperty("recentReports").EnumerateArray().Last();
        Assert.Equal(lastMonth, report.GetProperty("period").GetString());
        Assert.Equal(official, report.GetProperty("reportedBy").GetString());
        var value = report.GetProperty("values").EnumerateArray().Single();
        Assert.Equal("monthly-class", value.GetProperty("indicatorId").GetString());
        Assert.Equal(3m, value.GetProperty("value").GetDecimal());
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task With_script_off_the_report_form_still_reports()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin, javaScript: false);
        await traffic.SignInAsync(scenario.Host, "government", Liuyang);
        var before = await RecordAsync();

        await traffic.GotoAsync($"/county/commitments/{Water}/report");
        await traffic.Page.GetByLabel("Water-quality class of the month").SelectOptionAsync(new SelectOptionValue { Label = "Ⅰ类" });
        await traffic.Page.GetByLabel("进展情况说明").FillAsync("无脚本填报。");
        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();

        await Expect(traffic.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("进展情况已于");
        var after = await RecordAsync();
        Assert.Equal(before.GetProperty("version").GetInt64() + 1, after.GetProperty("version").GetInt64());
        Assert.Equal("无脚本填报。", after.GetProperty("recentReports").EnumerateArray().Last().GetProperty("narrative").GetString());
    }

    [Fact]
    public async Task A_date_in_the_future_is_refused_beside_its_field_in_Chinese_and_appends_nothing()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "government", Liuyang);
        var before = await RecordAsync();

        await traffic.GotoAsync($"/county/commitments/{Water}/report");
        var tomorrow = DateOnly.FromDateTime(scenario.Host.Clock.GetUtcNow().AddHours(8).Date).AddDays(2);
        await traffic.Page.GetByLabel("数据截至").FillAsync(tomorrow.ToString("yyyy-MM-dd"));
        await traffic.Page.GetByLabel("Water-quality class of the month").SelectOptionAsync(new SelectOptionValue { Label = "Ⅱ类" });
        await traffic.Page.GetByLabel("进展情况说明").FillAsync("提前填报。");
        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();

        var field = traffic.Page.Locator(".field").Filter(new() { Has = traffic.Page.GetByLabel("数据截至") });
        await Expect(field.GetByRole(AriaRole.Alert)).ToHaveTextAsync("日期不能晚于今天。");
        // What was typed stays, so the person corrects only the date.
        await Expect(traffic.Page.GetByLabel("进展情况说明")).ToHaveValueAsync("提前填报。");
        Assert.Equal(before.GetProperty("version").GetInt64(), (await RecordAsync()).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task A_form_sent_twice_appends_once()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "government", Liuyang);
        var before = await RecordAsync();

        await traffic.GotoAsync($"/county/commitments/{Water}/report");
        await traffic.Page.GetByLabel("Water-quality class of the month").SelectOptionAsync(new SelectOptionValue { Label = "Ⅱ类" });
        await traffic.Page.GetByLabel("进展情况说明").FillAsync("重复提交测试。");
        // The same form, with its key and antiforgery token, posted twice as a double click or a
        // resubmitted page would.
        var statuses = await traffic.Page.EvaluateAsync<int[]>("""
            async () => {
              const form = document.querySelector('form:has(input[name=_handler][value=report])');
              const send = () => fetch(location.href, { method: 'POST', body: new FormData(form), redirect: 'manual' });
              const first = await send();
              const second = await send();
              return [first.status, second.status];
            }
            """);

        Assert.All(statuses, s => Assert.True(s is 0 or 200 or 302, $"answered {s} {string.Join("\n", traffic.Problems)}"));
        var after = await RecordAsync();
        Assert.Equal(before.GetProperty("version").GetInt64() + 1, after.GetProperty("version").GetInt64());
        Assert.Single(after.GetProperty("recentReports").EnumerateArray(), r => r.GetProperty("narrative").GetString() == "重复提交测试。");
    }

    [Fact]
    public async Task A_NUL_character_in_a_form_field_is_refused_before_the_ledger_sees_it()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "government", Liuyang);
        var before = await RecordAsync();

        await traffic.GotoAsync($"/county/commitments/{Water}/report");
        await traffic.Page.GetByLabel("Water-quality class of the month").SelectOptionAsync(new SelectOptionValue { Label = "Ⅱ类" });
        var answer = await traffic.Page.EvaluateAsync<JsonElement>("""
            async () => {
              const form = document.querySelector('form:has(input[name=_handler][value=report])');
              const data = new FormData(form);
              data.set('Input.Narrative', 'a\u0000b');
              const response = await fetch(location.href, { method: 'POST', body: data });
              return { status: response.status, body: await response.json() };
            }
            """);

        Assert.Equal(400, answer.GetProperty("status").GetInt32());
        Assert.Equal("invalid_character", answer.GetProperty("body").GetProperty("code").GetString());
        Assert.Equal("Input.Narrative", answer.GetProperty("body").GetProperty("field").GetString());
        Assert.Equal(before.GetProperty("version").GetInt64(), (await RecordAsync()).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task The_county_pages_in_both_languages_at_both_sizes()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "government", Liuyang);
        await Screens.CaptureAsync(traffic, "/county", "county-commitments");
        await Screens.CaptureAsync(traffic, $"/county/commitments/{Water}/report", "county-report");
        traffic.AssertSelfContained();
    }

    private string LastMonth()
    {
        var today = DateOnly.FromDateTime(scenario.Host.Clock.GetUtcNow().AddHours(8).Date);
        return new DateOnly(today.Year, today.Month, 1).AddDays(-1).ToString("yyyy-MM");
    }

    private async Task<JsonElement> RecordAsync()
    {
        using var client = scenario.Host.Client("auditor");
        return await client.GetFromJsonAsync<JsonElement>($"/api/commitments/{Water}");
    }
}
