using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests.County;

/// <summary>
/// What a county official sees due and answers in the console: a rectification order a supervisor
/// issues appears under what is due and is answered with evidence the official uploads; a fulfilment
/// claim cites that evidence; a correction leaves the original report on record.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DueAndAnswersTests(Chromium chromium, ConsoleScenario scenario)
{
    private const string Liuyang = "430181";
    // Liuyang contributes to this one (Xiangdong leads) and leads the automation commitment; no other
    // console test writes to either.
    private const string Accidents = "a04-fireworks-zero-major-accidents";
    private const string Automation = "a04-fireworks-automation";

    [Fact]
    public async Task An_order_to_Liuyang_is_due_and_is_answered_with_uploaded_evidence()
    {
        var orderId = "due-" + Guid.NewGuid().ToString("N")[..8];
        using (var supervisor = scenario.Host.Client("supervisor"))
        {
            var due = DateOnly.FromDateTime(scenario.Host.Clock.GetUtcNow().UtcDateTime).AddDays(20);
            var ordered = await supervisor.PostAsJsonAsync($"/api/commitments/{Accidents}/rectifications",
                new { rectificationId = orderId, governmentId = Liuyang, findings = "两起生产安全隐患未按期整改", requiredActions = new[] { "完成隐患整改并报送核查报告" }, dueOn = due });
            Assert.True(ordered.IsSuccessStatusCode, await ordered.Content.ReadAsStringAsync());
        }
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "government", Liuyang);

        await traffic.GotoAsync("/county/due");
        var tile = traffic.Page.Locator("article").Filter(new() { HasText = "两起生产安全隐患未按期整改" });
        await Expect(tile).ToContainTextAsync("还剩 20 天");
        await Screens.CaptureAsync(traffic, "/county/due", "county-due");
        await tile.GetByRole(AriaRole.Link, new() { Name = "反馈整改情况" }).ClickAsync();
        await Expect(traffic.Page.GetByRole(AriaRole.Heading, new() { Name = "反馈整改情况", Level = 1 })).ToBeVisibleAsync();

        // An empty answer is refused beside its field, and nothing is appended.
        var version = await VersionAsync(Accidents);
        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Expect(traffic.Page.Locator(".field").Filter(new() { Has = traffic.Page.GetByLabel("整改落实情况") }).GetByRole(AriaRole.Alert))
            .ToHaveTextAsync("此项为必填项。");
        Assert.Equal(version, await VersionAsync(Accidents));

        // The evidence first: uploaded, stored by its SHA-256, then cited in the answer.
        var file = System.Text.Encoding.UTF8.GetBytes("核查报告：隐患已整改 " + orderId);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
        await traffic.GotoAsync($"/county/commitments/{Accidents}/evidence");
        await traffic.Page.GetByLabel("文件", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "report.txt", MimeType = "text/plain", Buffer = file });
        await traffic.Page.GetByLabel("材料类型").SelectOptionAsync(new SelectOptionValue { Label = "核查报告" });
        await traffic.Page.GetByLabel("材料名称").FillAsync("隐患整改核查报告");
        await traffic.Page.GetByLabel("出具单位").FillAsync("浏阳市应急管理局");
        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Expect(traffic.Page.GetByRole(AriaRole.Status)).ToContainTextAsync(sha);
        var record = await RecordAsync(Accidents);
        var evidence = record.GetProperty("recentEvidence").EnumerateArray().Single(e => e.GetProperty("sha256").GetString() == sha);
        Assert.Equal($"ledger://evidence/sha256/{sha}", evidence.GetProperty("storageUri").GetString());
        // The file comes back byte for byte under its hash.
        var download = await traffic.Page.Context.APIRequest.GetAsync($"/evidence/{sha}");
        Assert.Equal(200, download.Status);
        Assert.Equal(file, await download.BodyAsync());

        await traffic.GotoAsync($"/county/rectifications/{Accidents}/{orderId}");
        await traffic.Page.GetByLabel("整改落实情况").FillAsync("已完成隐患整改，核查报告见附件。");
        await traffic.Page.GetByLabel("隐患整改核查报告").CheckAsync();
        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Expect(traffic.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("整改情况已反馈，等待督查人员验收。");

        var order = (await RecordAsync(Accidents)).GetProperty("recentRectifications").EnumerateArray().Single(o => o.GetProperty("rectificationId").GetString() == orderId);
        Assert.Equal("Responded", order.GetProperty("status").GetString());
        Assert.Equal(evidence.GetProperty("evidenceId").GetString(), order.GetProperty("responses")[0].GetProperty("evidenceIds")[0].GetString());
        // Answered, it is no longer due.
        await traffic.GotoAsync("/county/due");
        await Expect(traffic.Page.Locator("article").Filter(new() { HasText = "两起生产安全隐患未按期整改" })).ToHaveCountAsync(0);
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_claim_without_evidence_is_refused_and_one_citing_evidence_is_recorded()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "government", Liuyang);
        await traffic.GotoAsync($"/county/commitments/{Automation}/evidence");
        await traffic.Page.GetByLabel("文件", new() { Exact = true }).SetInputFilesAsync(new FilePayload
        {
            Name = "lines.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes("firm,automated\nA,1\nB,1\n" + Guid.NewGuid()),
        });
        await traffic.Page.GetByLabel("材料名称").FillAsync("自动化生产线验收清单");
        await traffic.Page.GetByLabel("出具单位").FillAsync("浏阳市工业和信息化局");
        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Expect(traffic.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("自动化生产线验收清单");

        await traffic.GotoAsync($"/county/commitments/{Automation}/claim");
        await traffic.Page.GetByLabel("销号说明").FillAsync("全部企业自动化生产线已建成并通过验收。");
        var version = await VersionAsync(Automation);
        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Expect(traffic.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("请先上传至少一份佐证材料。");
        Assert.Equal(version, await VersionAsync(Automation));

        await traffic.Page.GetByLabel("自动化生产线验收清单").CheckAsync();
        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Expect(traffic.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("销号申请已提交，等待核验。");
        var claim = (await RecordAsync(Automation)).GetProperty("recentClaims").EnumerateArray().Last();
        Assert.Equal("open", claim.GetProperty("state").GetString());
        Assert.Equal("全部企业自动化生产线已建成并通过验收。", claim.GetProperty("statement").GetString());
        await Screens.CaptureAsync(traffic, $"/county/commitments/{Automation}/claim", "county-claim");
        await Screens.CaptureAsync(traffic, $"/county/commitments/{Automation}/evidence", "county-evidence");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_correction_is_a_new_record_and_the_original_report_stays()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "government", Liuyang);
        var before = await RecordAsync(Automation);
        var original = before.GetProperty("recentReports").EnumerateArray().Last();
        var reportId = original.GetProperty("reportId").GetString()!;

        // Without a report named, the page offers the latest reports, newest first.
        await traffic.GotoAsync($"/county/commitments/{Automation}/correct");
        var offered = await traffic.Page.Locator("select#report option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)");
        Assert.Equal(reportId, offered[0]);
        await Screens.CaptureAsync(traffic, $"/county/commitments/{Automation}/correct", "county-correct-choose");

        await traffic.GotoAsync($"/county/commitments/{Automation}/correct?report={reportId}");
        var input = traffic.Page.Locator("input[name^='Input.Values']").First;
        await input.FillAsync("55");
        await traffic.Page.GetByLabel("更正原因").FillAsync("统计口径调整，原报数据有误。");
        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Expect(traffic.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("更正已记录在案，原报告保留。");

        var report = (await RecordAsync(Automation)).GetProperty("recentReports").EnumerateArray().Single(r => r.GetProperty("reportId").GetString() == reportId);
        Assert.Equal(JsonSerializer.Serialize(original.GetProperty("values")), JsonSerializer.Serialize(report.GetProperty("values")));
        var correction = report.GetProperty("corrections").EnumerateArray().Last();
        Assert.Equal(55m, correction.GetProperty("values")[0].GetProperty("value").GetDecimal());
        Assert.Equal("统计口径调整，原报数据有误。", correction.GetProperty("reason").GetString());
        await Screens.CaptureAsync(traffic, $"/county/commitments/{Automation}/correct?report={reportId}", "county-correct");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task An_appeal_after_its_window_is_refused_in_words_and_appends_nothing()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "government", Liuyang);
        await traffic.GotoAsync("/county/scorecards");
        var card = traffic.Page.Locator("section.card").First;
        await Expect(card.GetByRole(AriaRole.Heading)).ToContainTextAsync("排名");
        await card.GetByLabel("申诉理由").FillAsync("联合行动次数统计遗漏。");
        await card.GetByRole(AriaRole.Button, new() { Name = "提出申诉" }).ClickAsync();
        await Expect(traffic.Page.GetByRole(AriaRole.Alert).First).ToHaveTextAsync("该考核周期的申诉期限已过。");
        await Screens.CaptureAsync(traffic, "/county/scorecards", "county-scorecards");
        traffic.AssertSelfContained();
    }

    private async Task<JsonElement> RecordAsync(string commitment)
    {
        using var client = scenario.Host.Client("auditor");
        return await client.GetFromJsonAsync<JsonElement>($"/api/commitments/{commitment}");
    }

    private async Task<long> VersionAsync(string commitment) => (await RecordAsync(commitment)).GetProperty("version").GetInt64();
}
