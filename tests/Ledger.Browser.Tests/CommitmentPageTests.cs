using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JasperFx.Events;
using Ledger.Api.Tests.Support;
using Ledger.Browser.Tests.Support;
using Ledger.Contracts;
using Ledger.Web.Components.Commitments;
using Ledger.Domain.Commitments;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests;

/// <summary>
/// The commitment page (<c>/commitments/{id}</c>) in a real browser on the shared loaded scenario: what
/// every role reads, the supervisor's forms appending through the deciders (checked in the event
/// store), refusals shown beside their field in Chinese, a resubmitted form appending once, and a
/// government kept to its own commitments. Each writing test owns one commitment no other test writes:
/// assess a03-cross-province-bus-lines, order a02-study-tour-exchange, verify a05-teacher-exchange,
/// review a01-pingjiang-xiushui-emergency-drills, escalate a01-eco-compensation-settlement.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class CommitmentPageTests(ConsoleScenario scenario, Chromium chromium)
{
    private const string Water = "a01-water-class-iii";
    private const string Liuyang = "430181";
    private const string Shangli = "360322";

    [Fact]
    public async Task The_water_commitment_shows_its_indicators_milestones_assessments_and_timeline_in_words()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "supervisor");

        await traffic.GotoAsync($"/commitments/{Water}");
        var page = traffic.Page;

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Lu/Ping border section at Class III or better every month", Level = 1 })).ToBeVisibleAsync();
        var facts = page.Locator(".summary");
        await Expect(facts.Locator("[data-status]")).ToHaveTextAsync("推进中");
        await Expect(facts).ToContainTextAsync("浏阳市");
        await Expect(facts).ToContainTextAsync("上栗县（分担 40%）");
        await Expect(facts).ToContainTextAsync("2030年12月31日");
        // The latest assessment (2022-Q3) was amber; nothing is overdue on this commitment.
        await Expect(facts.Locator("[data-colour]")).ToHaveTextAsync("黄");

        // Indicators: a chart drawn for each numeric indicator, and the same figures in a table, in words.
        var indicators = page.Locator("#indicators");
        await Expect(indicators.Locator("[data-chart-drawn=true]")).ToHaveCountAsync(2);
        await Expect(indicators.Locator("[data-chart] svg").First).ToBeVisibleAsync();
        var monthly = indicators.Locator("table[data-figures=monthly-class]");
        await Expect(Row(monthly, "2022年7月")).ToContainTextAsync("Ⅳ类");
        await Expect(Row(monthly, "2022年5月")).ToContainTextAsync("Ⅱ类");
        await Expect(Row(indicators.Locator("table[data-figures=months-class-iii]"), "2022年")).ToContainTextAsync("12个月");
        await Expect(Row(indicators.Locator("table[data-figures=months-class-iii]"), "2022年")).ToContainTextAsync("11个月");
        await Expect(indicators).ToContainTextAsync("水质类别");
        await Expect(indicators).ToContainTextAsync("越低越好");

        // Assessments with their colour history, oldest first: green, then amber.
        var history = page.Locator("ol.colour-history .badge");
        await Expect(history).ToHaveTextAsync(["绿", "黄"]);
        await Expect(page.Locator("table.assessments")).ToContainTextAsync("实质进展");
        await Expect(page.Locator("table.assessments")).ToContainTextAsync("2022年第三季度");

        // The timeline in words: what happened, who (from the envelope), when in Beijing time, what changed.
        var timeline = page.Locator("#timeline");
        var report = timeline.Locator("ol.records > li", new() { HasText = "填报期：2022年7月" });
        await Expect(report.Locator(".what")).ToHaveTextAsync("填报进展");
        await Expect(report.Locator(".who")).ToContainTextAsync("县市区政府（浏阳市）");
        await Expect(report.Locator(".who")).ToContainTextAsync("scenario/government:430181");
        await Expect(report.Locator(".when")).ToContainTextAsync("（北京时间）");
        await Expect(report.Locator(".changes")).ToContainTextAsync("Water-quality class of the month：Ⅳ类");
        await page.GetByRole(AriaRole.Link, new() { Name = "显示全部" }).ClickAsync();
        var assessed = timeline.Locator("ol.records > li", new() { HasText = "2022年第三季度：完成程度" });
        await Expect(assessed.Locator(".what")).ToHaveTextAsync("评估研判");
        await Expect(assessed.Locator(".who")).ToContainTextAsync("督查人员");
        await Expect(assessed.Locator(".changes")).ToContainTextAsync("完成把握 黄");
        await Expect(timeline.Locator("ol.records > li", new() { HasText = "纳入督查" })).ToHaveCountAsync(1);

        await AssertNoRawCodesAsync(page);
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_rectified_and_escalated_commitment_shows_orders_responses_escalation_decision_and_revision()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "auditor");

        await traffic.GotoAsync("/commitments/a03-border-road-upgrade");
        var page = traffic.Page;

        await Expect(page.Locator("[data-status]")).ToHaveTextAsync("已销号");
        var milestone = page.Locator("[data-milestone=chaling-section-complete]");
        await Expect(milestone).ToContainTextAsync("已完成");
        await Expect(milestone).ToContainTextAsync("原定：2023年6月30日");
        var order = page.Locator("#rectifications .rectification");
        await Expect(order).ToContainTextAsync("整改验收通过");
        await Expect(order.Locator("ol.exchanges > li")).ToHaveCountAsync(4);
        await Expect(order.Locator("ol.exchanges > li").Nth(1)).ToContainTextAsync("退回重新整改");
        await Expect(order).ToContainTextAsync("原定整改时限：2023年9月30日");
        var escalation = page.Locator("#escalations .escalation");
        await Expect(escalation).ToContainTextAsync("提请两省推进大会");
        await Expect(escalation.Locator("ol.options-list > li")).ToHaveCountAsync(3);
        await Expect(escalation).ToContainTextAsync("已决定");
        await Expect(page.Locator("#revisions")).ToContainTextAsync("调整为 2024年6月30日");
        await Expect(page.Locator("#claims .claim")).ToHaveCountAsync(2);
        await Expect(page.Locator("#claims")).ToContainTextAsync("实地核查");
        await Expect(page.Locator("#evidence")).ToContainTextAsync("6bbf19aa2dae11107934ae8339d1aa09f363ac8835270197d7217ee8eb3f8f48");
        // An auditor reads; only a supervisor sees the forms.
        await Expect(page.Locator("details[data-form]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#timeline a[href='/audit/commitments/a03-border-road-upgrade']")).ToBeVisibleAsync();

        await AssertNoRawCodesAsync(page);
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task Assessing_appends_one_assessment_and_a_resubmitted_form_appends_nothing_more()
    {
        const string id = "a03-cross-province-bus-lines";
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        var supervisor = await traffic.SignInAsync(scenario.Host, "supervisor");
        await traffic.GotoAsync($"/commitments/{id}");
        var before = await EventsAsync(id);
        var form = await OpenFormAsync(traffic.Page, "assess");

        // No rationale: refused beside the field, in Chinese, and nothing appended.
        await form.GetByLabel("完成程度").SelectOptionAsync(new SelectOptionValue { Label = "实质进展" });
        await form.GetByLabel("黄绿", new() { Exact = true }).CheckAsync();
        await form.GetByLabel("风险等级").SelectOptionAsync(new SelectOptionValue { Label = "中" });
        await SubmitAsync(form, "提交评估研判");
        await Expect(traffic.Page.Locator("#assess-rationale-error")).ToHaveTextAsync("此项为必填项。");
        await Expect(traffic.Page.GetByLabel("研判依据")).ToHaveAttributeAsync("aria-describedby", "assess-rationale-error");
        Assert.Equal(before.Count, (await EventsAsync(id)).Count);

        var rationale = "Two of four lines run; the third waits for its Xiangdong terminus. " + Guid.NewGuid().ToString("N")[..8];
        form = traffic.Page.Locator("details[data-form=assess] form");
        await form.GetByLabel("研判依据").FillAsync(rationale);
        var submitted = await FormFieldsAsync(form);
        await SubmitAsync(form, "提交评估研判");
        await Expect(traffic.Page.Locator("[data-done=assessed]")).ToHaveTextAsync("评估研判已记录。");

        var appended = New(before, await EventsAsync(id));
        var assessed = Assert.IsType<CommitmentAssessed>(Assert.Single(appended).Data);
        Assert.Equal((Contracts.Completion.Substantial, DeliveryConfidence.AmberGreen, RiskCategory.Moderate, rationale),
            (assessed.Completion, assessed.Confidence, assessed.Risk, assessed.Rationale));
        Assert.Equal("2026-Q2", assessed.Period);
        Assert.Equal(supervisor, assessed.AssessedBy);
        await Expect(traffic.Page.Locator("table.assessments tbody tr").First).ToContainTextAsync(rationale);
        await Expect(traffic.Page.Locator(".summary")).ToContainTextAsync("最近一次评估研判的完成把握：黄绿");

        // The same form sent again (a double click, a browser resending it): answered, appended once.
        var again = await traffic.Page.APIRequest.PostAsync($"/commitments/{id}", new() { Form = submitted });
        Assert.True(again.Ok, $"the resubmitted form was answered {again.Status}");
        Assert.Single(New(before, await EventsAsync(id)));

        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task Ordering_rectification_refuses_a_past_due_date_and_empty_findings_then_the_county_sees_the_order()
    {
        const string id = "a02-study-tour-exchange";
        const string xiushui = "360424";
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "supervisor");
        await traffic.GotoAsync($"/commitments/{id}");
        var before = await EventsAsync(id);
        var form = await OpenFormAsync(traffic.Page, "order");

        await Expect(form.GetByLabel("整改单位")).ToHaveValueAsync(xiushui);
        await form.GetByLabel("整改要求").FillAsync("File the 2025 visit register\nAgree the 2026 quota with Pingjiang");
        await form.GetByLabel("整改时限").FillAsync("2026-05-01");
        await SubmitAsync(form, "下发整改通知");
        // The decider refuses the empty findings first; the page says so beside the field, in Chinese.
        await Expect(traffic.Page.Locator("#order-findings-error")).ToHaveTextAsync("此项为必填项。");
        Assert.Equal(before.Count, (await EventsAsync(id)).Count);

        form = traffic.Page.Locator("details[data-form=order] form");
        const string findings = "The 2025 visit count (14,200) is 29% short of the 20,000 target and no recovery plan was filed.";
        await form.GetByLabel("问题清单").FillAsync(findings);
        await SubmitAsync(form, "下发整改通知");
        await Expect(traffic.Page.Locator("#order-due-error")).ToHaveTextAsync("日期必须晚于今天。");
        await Expect(traffic.Page.Locator("#order-findings-error")).ToHaveCountAsync(0);
        Assert.Equal(before.Count, (await EventsAsync(id)).Count);
        // The refused form as a person sees it, at both sizes.
        foreach (var (width, height) in new[] { (1280, 800), (390, 844) })
        {
            await traffic.Page.SetViewportSizeAsync(width, height);
            await traffic.Page.Locator("details[data-form=order]").ScreenshotAsync(new() { Path = Screenshot($"commitment-order-refused-zh-{width}.png") });
        }
        await traffic.Page.SetViewportSizeAsync(1280, 900);

        form = traffic.Page.Locator("details[data-form=order] form");
        await form.GetByLabel("整改时限").FillAsync("2026-07-15");
        await SubmitAsync(form, "下发整改通知");
        await Expect(traffic.Page.Locator("[data-done=ordered]")).ToBeVisibleAsync();

        var ordered = Assert.IsType<RectificationOrdered>(Assert.Single(New(before, await EventsAsync(id))).Data);
        Assert.Equal((xiushui, findings, new DateOnly(2026, 7, 15)), (ordered.GovernmentId, ordered.Findings, ordered.DueOn));
        Assert.Equal(["File the 2025 visit register", "Agree the 2026 quota with Pingjiang"], ordered.RequiredActions);
        await Expect(traffic.Page.Locator($"[data-rectification={ordered.RectificationId}]")).ToContainTextAsync("已下发整改通知");
        traffic.AssertSelfContained();

        // The county ordered sees a link to answer it, and none of the supervisor's forms.
        await using var county = await chromium.OpenAsync(scenario.Origin);
        await county.SignInAsync(scenario.Host, "government", xiushui);
        await county.GotoAsync($"/commitments/{id}");
        await Expect(county.Page.Locator($"a[data-answer={ordered.RectificationId}]"))
            .ToHaveAttributeAsync("href", $"/county/rectifications/{id}/{ordered.RectificationId}");
        await Expect(county.Page.Locator($"a[data-answer={ordered.RectificationId}]")).ToHaveTextAsync("反馈整改情况（整改时限 2026年7月15日）");
        await Expect(county.Page.Locator("details[data-form]")).ToHaveCountAsync(0);
        county.AssertSelfContained();
    }

    [Fact]
    public async Task Verifying_a_claim_appends_the_verdict_and_closes_the_claim()
    {
        const string id = "a05-teacher-exchange";
        const string jinggangshan = "360881";
        using (var county = scenario.Host.Client("government", jinggangshan))
        {
            await Posted(county.PostJsonAsync($"/api/commitments/{id}/evidence", new
            {
                evidenceId = "ev-teacher-register-2025", documentType = "Minutes", title = "Register of teachers exchanged in 2025",
                sha256 = new string('c', 64), storageUri = "store://evidence/teacher-register-2025", issuer = "Jinggangshan Education Bureau",
                issuedOn = "2026-01-10", confidentiality = "Internal",
            }));
            await Posted(county.PostJsonAsync($"/api/commitments/{id}/claims", new
            {
                claimId = "claim-teachers-2025", scope = "Period", subject = "2025", evidenceIds = new[] { "ev-teacher-register-2025" },
                statement = "22 teachers were exchanged in 2025, two above the target.",
            }));
        }
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "supervisor");
        await traffic.GotoAsync($"/commitments/{id}");
        var claim = traffic.Page.Locator("[data-claim=claim-teachers-2025]");
        await Expect(claim).ToContainTextAsync("填报期：2025年");
        await Expect(claim).ToContainTextAsync("待核验");
        await Expect(claim).ToContainTextAsync("Register of teachers exchanged in 2025");
        var before = await EventsAsync(id);

        var form = await OpenFormAsync(traffic.Page, "verify");
        await Expect(form.GetByLabel("销号申请")).ToHaveValueAsync("claim-teachers-2025");
        await form.GetByLabel("核验方式").SelectOptionAsync(new SelectOptionValue { Label = "材料审核" });
        await form.GetByLabel("核验通过", new() { Exact = true }).CheckAsync();
        await SubmitAsync(form, "提交核验结论");
        await Expect(traffic.Page.Locator("#verify-findings-error")).ToHaveTextAsync("此项为必填项。");
        Assert.Equal(before.Count, (await EventsAsync(id)).Count);

        form = traffic.Page.Locator("details[data-form=verify] form");
        await form.GetByLabel("核验意见").FillAsync("The register names 22 teachers with both counties' stamps.");
        await SubmitAsync(form, "提交核验结论");
        await Expect(traffic.Page.Locator("[data-done=verified]")).ToBeVisibleAsync();

        var verified = Assert.IsType<VerificationCompleted>(Assert.Single(New(before, await EventsAsync(id))).Data);
        Assert.Equal(("claim-teachers-2025", VerificationMethod.DocumentReview, Verdict.Verified), (verified.ClaimId, verified.Method, verified.Verdict));
        await Expect(traffic.Page.Locator("[data-claim=claim-teachers-2025] .badge").First).ToHaveTextAsync("核验通过");
        // No claim is open now: the form gives way to a sentence saying so.
        await Expect(traffic.Page.Locator("details[data-form=verify]")).ToHaveCountAsync(0);
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task Reviewing_a_response_rejects_it_with_a_new_due_date_then_accepts_the_next()
    {
        const string id = "a01-pingjiang-xiushui-emergency-drills";
        const string pingjiang = "430626";
        const string rectification = "rect-drill-report-2025";
        using (var supervisor = scenario.Host.Client("supervisor"))
        {
            await Posted(supervisor.PostJsonAsync($"/api/commitments/{id}/rectifications", new
            {
                rectificationId = rectification, governmentId = pingjiang, findings = "The 2025 joint drill report was not filed.",
                requiredActions = new[] { "File the drill report" }, dueOn = "2026-06-20",
            }));
        }
        using var county = scenario.Host.Client("government", pingjiang);
        await Posted(county.PostJsonAsync($"/api/commitments/{id}/rectifications/{rectification}/response", new { response = "The report is being drafted." }));

        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "supervisor");
        await traffic.GotoAsync($"/commitments/{id}");
        var before = await EventsAsync(id);
        var form = await OpenFormAsync(traffic.Page, "review");
        await form.GetByLabel("退回重新整改").CheckAsync();
        await form.GetByLabel("验收意见").FillAsync("A draft is not a filed report.");
        await form.GetByLabel("新的整改时限").FillAsync("2026-07-31");
        await SubmitAsync(form, "提交验收结论");
        await Expect(traffic.Page.Locator("[data-done=rejected]")).ToBeVisibleAsync();
        var rejected = Assert.IsType<RectificationRejected>(Assert.Single(New(before, await EventsAsync(id))).Data);
        Assert.Equal((rectification, new DateOnly(2026, 7, 31)), (rejected.RectificationId, rejected.NewDueOn));
        await Expect(traffic.Page.Locator($"[data-rectification={rectification}]")).ToContainTextAsync("原定整改时限：2026年6月20日");
        // Nothing awaits review now.
        await Expect(traffic.Page.Locator("details[data-form=review]")).ToHaveCountAsync(0);

        await Posted(county.PostJsonAsync($"/api/commitments/{id}/rectifications/{rectification}/response", new { response = "Filed on 2026-06-05; see the drill report." }));
        await traffic.GotoAsync($"/commitments/{id}");
        before = await EventsAsync(id);
        form = await OpenFormAsync(traffic.Page, "review");
        await form.GetByLabel("整改验收通过").CheckAsync();
        await form.GetByLabel("新的整改时限").FillAsync("2026-08-31");
        await SubmitAsync(form, "提交验收结论");
        // Acceptance closes the order: a new due date with it is refused beside that field.
        await Expect(traffic.Page.Locator("#review-due-error")).ToHaveTextAsync("整改验收通过即结束整改，无需填写新的整改时限。");
        Assert.Equal(before.Count, (await EventsAsync(id)).Count);

        form = traffic.Page.Locator("details[data-form=review] form");
        await form.GetByLabel("新的整改时限").FillAsync("");
        await SubmitAsync(form, "提交验收结论");
        // Then the decider's refusal: no findings.
        await Expect(traffic.Page.Locator("#review-findings-error")).ToHaveTextAsync("此项为必填项。");
        await Expect(traffic.Page.Locator("#review-due-error")).ToHaveCountAsync(0);
        Assert.Equal(before.Count, (await EventsAsync(id)).Count);

        form = traffic.Page.Locator("details[data-form=review] form");
        await form.GetByLabel("验收意见").FillAsync("Report filed and checked.");
        await SubmitAsync(form, "提交验收结论");
        await Expect(traffic.Page.Locator("[data-done=accepted]")).ToBeVisibleAsync();
        var accepted = Assert.IsType<RectificationAccepted>(Assert.Single(New(before, await EventsAsync(id))).Data);
        Assert.Equal(rectification, accepted.RectificationId);
        await Expect(traffic.Page.Locator($"[data-rectification={rectification}] .headline .badge")).ToHaveTextAsync("整改验收通过");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task Escalating_works_without_script_and_refuses_a_matter_with_no_options()
    {
        const string id = "a01-eco-compensation-settlement";
        // A browser with script turned off: the form posts and the page answers as plain HTML.
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = scenario.Origin.GetLeftPart(UriPartial.Authority),
            JavaScriptEnabled = false,
            Locale = "zh-CN",
        });
        await using var traffic = await PageTraffic.WatchAsync(context, scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "supervisor");
        await traffic.GotoAsync($"/commitments/{id}");
        var before = await EventsAsync(id);

        var form = await OpenFormAsync(traffic.Page, "escalate");
        await Expect(form.Locator("[data-level]")).ToHaveTextAsync("两省推进大会");
        const string subject = "Xiangdong and Liling disagree on the 2025 settlement amount.";
        await form.GetByLabel("提请事由").FillAsync(subject);
        await SubmitAsync(form, "提请推进大会决定");
        await Expect(traffic.Page.Locator("#escalate-options-error")).ToHaveTextAsync("请至少填写一个备选方案，每行一个。");
        Assert.Equal(before.Count, (await EventsAsync(id)).Count);

        form = traffic.Page.Locator("details[data-form=escalate] form");
        await Expect(form.GetByLabel("提请事由")).ToHaveValueAsync(subject);
        await form.GetByLabel("备选方案").FillAsync("Settle at the monitored figure\n\nRefer the figure to a third-party laboratory");
        await SubmitAsync(form, "提请推进大会决定");
        await Expect(traffic.Page.Locator("[data-done=escalated]")).ToBeVisibleAsync();

        var raised = Assert.IsType<EscalationRaised>(Assert.Single(New(before, await EventsAsync(id))).Data);
        Assert.Equal((GovernanceLevel.Coordination, GovernanceLevel.Decision, subject), (raised.From, raised.To, raised.Subject));
        Assert.Equal(["Settle at the monitored figure", "Refer the figure to a third-party laboratory"], raised.Options);
        await Expect(traffic.Page.Locator($"[data-escalation={raised.EscalationId}]")).ToContainTextAsync("待决定");
        traffic.AssertSelfContained();

        // The promotion conference finds it open, with the way to its own page for deciding.
        await using var decision = await chromium.OpenAsync(scenario.Origin);
        await decision.SignInAsync(scenario.Host, "decision");
        await decision.GotoAsync($"/commitments/{id}");
        await Expect(decision.Page.Locator($"[data-escalation={raised.EscalationId}]").GetByRole(AriaRole.Link, new() { Name = "到提请事项页面作出决定" }))
            .ToHaveAttributeAsync("href", "/escalations");
        await Expect(decision.Page.Locator("details[data-form]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_government_sees_links_to_its_own_actions_and_is_refused_a_commitment_it_has_no_part_in()
    {
        await using var lead = await chromium.OpenAsync(scenario.Origin);
        await lead.SignInAsync(scenario.Host, "government", Liuyang);
        await lead.GotoAsync($"/commitments/{Water}");
        var own = lead.Page.Locator(".own-actions");
        foreach (var (words, path) in new[] { ("填报进展", "report"), ("更正进展情况", "correct"), ("上传佐证材料", "evidence"), ("申请销号", "claim") })
            await Expect(own.GetByRole(AriaRole.Link, new() { Name = words, Exact = true })).ToHaveAttributeAsync("href", $"/county/commitments/{Water}/{path}");
        await Expect(lead.Page.Locator("details[data-form]")).ToHaveCountAsync(0);
        await Expect(lead.Page.Locator("[data-chart-drawn=true]").First).ToBeVisibleAsync();
        lead.AssertSelfContained();

        // Shangli contributes: it reports, but only the lead claims fulfilment.
        await using var contributor = await chromium.OpenAsync(scenario.Origin);
        await contributor.SignInAsync(scenario.Host, "government", Shangli);
        await contributor.GotoAsync($"/commitments/{Water}");
        await Expect(contributor.Page.Locator(".own-actions").GetByRole(AriaRole.Link, new() { Name = "填报进展", Exact = true })).ToBeVisibleAsync();
        await Expect(contributor.Page.Locator(".own-actions").GetByRole(AriaRole.Link, new() { Name = "申请销号" })).ToHaveCountAsync(0);

        // The border road is Chaling's and Yongxin's: Liuyang is sent to the refusal page.
        await lead.GotoAsync("/commitments/a03-border-road-upgrade");
        await Expect(lead.Page).ToHaveURLAsync(new Regex("/forbidden$"));
        await Expect(lead.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("当前账号无权访问此页面。");
        await Expect(lead.Page.GetByText("18 km of Chaling–Yongxin")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_commitment_with_more_evidence_than_the_page_lists_says_how_many_it_shows_of_all()
    {
        // Written by no other test: Yanling's red-tourism pass, given more attachments than the page lists.
        const string id = "a02-joint-red-tourism-pass";
        using var yanling = scenario.Host.Client("government", "430225");
        for (var i = 0; i <= CommitmentDossier.ShownActs; i++)
            await Posted(yanling.PostJsonAsync($"/api/commitments/{id}/evidence", PilotRequests.Evidence($"pass-scan-{i:D3}")));
        var count = (int)(await scenario.Host.GetJsonAsync($"/api/commitments/{id}"))["evidenceCount"]!;
        Assert.True(count > CommitmentDossier.ShownActs, $"{count} attachments");

        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "supervisor");
        await traffic.GotoAsync($"/commitments/{id}");
        var section = traffic.Page.Locator("#evidence");
        await Expect(section.Locator(".shown-of")).ToHaveTextAsync($"显示最近 {CommitmentDossier.ShownActs} 项，共 {count} 项。");
        await Expect(section.Locator("tr[data-evidence]")).ToHaveCountAsync(CommitmentDossier.ShownActs);
        // The latest first; the oldest beyond the page's are not listed.
        await Expect(section.Locator("tr[data-evidence]").First).ToHaveAttributeAsync("data-evidence", $"pass-scan-{CommitmentDossier.ShownActs:D3}");
        await Expect(section.Locator("tr[data-evidence=pass-scan-000]")).ToHaveCountAsync(0);
        await Expect(traffic.Page.Locator("#claims .shown-of")).ToHaveCountAsync(0);
        await traffic.Page.SetViewportSizeAsync(390, 844);
        await section.ScreenshotAsync(new LocatorScreenshotOptions { Path = Screenshot("commitment-evidence-latest-zh-390.png") });
        await traffic.GotoAsync($"/language/en?return=/commitments/{id}");
        await Expect(section.Locator(".shown-of")).ToHaveTextAsync($"Showing the latest {CommitmentDossier.ShownActs} of {count}.");
        await traffic.Page.SetViewportSizeAsync(1280, 800);
        await section.ScreenshotAsync(new LocatorScreenshotOptions { Path = Screenshot("commitment-evidence-latest-en-1280.png") });
    }

    [Fact]
    public async Task An_unknown_commitment_is_answered_not_found_in_words()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "supervisor");

        await traffic.GotoAsync("/commitments/no-such-commitment");

        await Expect(traffic.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("未找到承诺事项");
        await Expect(traffic.Page.Locator(".empty")).ToContainTextAsync("no-such-commitment");
    }

    [Theory]
    [InlineData("zh", "commitment", Water)]
    [InlineData("en", "commitment", Water)]
    [InlineData("zh", "commitment-storyline", "a03-border-road-upgrade")]
    [InlineData("en", "commitment-storyline", "a03-border-road-upgrade")]
    public async Task Screenshots_at_desktop_and_phone_sizes(string language, string name, string id)
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "supervisor");
        await traffic.GotoAsync($"/language/{language}?return=/commitments/{id}");
        await Expect(traffic.Page.Locator("html")).ToHaveAttributeAsync("lang", language == "zh" ? "zh-CN" : "en");
        if (language == "en")
        {
            await Expect(traffic.Page.Locator("[data-status]")).Not.ToHaveTextAsync(new Regex("[\u4e00-\u9fff]"));
            // In English many words are the codes' own (Active, Green): only the joined-up codes can tell.
            await AssertNoRawCodesAsync(traffic.Page, joinedOnly: true);
        }
        else
        {
            await AssertNoRawCodesAsync(traffic.Page);
        }
        foreach (var (width, height) in new[] { (1280, 800), (390, 844) })
        {
            await traffic.Page.SetViewportSizeAsync(width, height);
            await Expect(traffic.Page.Locator("[data-chart-drawn=true]").First).ToBeVisibleAsync();
            // The charts redraw on resize; the page is at rest once no request is pending and the resize
            // has been handled (the event is dispatched before the next frames are drawn).
            await traffic.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await traffic.Page.EvaluateAsync("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))");
            // No horizontal scrolling on a phone: the page fits its width.
            var overflow = await traffic.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{width}px: the page is {overflow}px wider than the window");
            await traffic.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot($"{name}-{language}-{width}.png"), FullPage = true });
        }
        traffic.AssertSelfContained();
    }

    private static ILocator Row(ILocator table, string period) =>
        table.Locator("tbody tr", new() { Has = table.Page.Locator("th", new() { HasTextRegex = new Regex($"^{Regex.Escape(period)}$") }) });

    /// <summary>Opens the form's fold (a plain details element: no script needed) and returns the form.</summary>
    private static async Task<ILocator> OpenFormAsync(IPage page, string name)
    {
        await page.Locator($"details[data-form={name}] > summary").ClickAsync();
        var form = page.Locator($"details[data-form={name}] form");
        await Expect(form).ToBeVisibleAsync();
        return form;
    }

    private static Task SubmitAsync(ILocator form, string button) =>
        form.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();

    /// <summary>What the form would send now, hidden fields (form key, antiforgery token, handler) included.</summary>
    private static async Task<IFormData> FormFieldsAsync(ILocator form)
    {
        var pairs = await form.EvaluateAsync<string[][]>("f => [...new FormData(f)].map(([k, v]) => [k, String(v)])");
        var data = form.Page.APIRequest.CreateFormData();
        foreach (var pair in pairs) data.Append(pair[0], pair[1]);
        return data;
    }

    private async Task<IReadOnlyList<IEvent>> EventsAsync(string commitmentId)
    {
        await using var session = scenario.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Events.FetchStreamAsync(StreamKeys.Commitment(commitmentId));
    }

    private static List<IEvent> New(IReadOnlyList<IEvent> before, IReadOnlyList<IEvent> after) =>
        [.. after.Where(e => e.Version > (before.Count == 0 ? 0 : before[^1].Version))];

    private static async Task Posted(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// No code a person should never see: an enum value's name, an event's type or stored name, as a
    /// whole word in the page's visible text. What people wrote is taken out first (the scenario's
    /// titles, narratives, findings, in full and as the timeline quotes them): a code on the page is a
    /// label's failure, while prose may use any word.
    /// </summary>
    private static async Task AssertNoRawCodesAsync(IPage page, bool joinedOnly = false)
    {
        var text = await page.EvaluateAsync<string>("() => document.querySelector('main').innerText");
        foreach (var prose in ScenarioProse.Value)
            text = text.Replace(prose, " ", StringComparison.Ordinal);
        var codes = new[]
        {
            typeof(Contracts.Completion), typeof(DeliveryConfidence), typeof(RiskCategory), typeof(MilestoneStatus), typeof(MilestoneType),
            typeof(Measure), typeof(Direction), typeof(Aggregation), typeof(ResultType), typeof(VerificationMethod), typeof(Verdict),
            typeof(DocumentType), typeof(Confidentiality), typeof(ClaimScope), typeof(GovernanceLevel), typeof(CommitmentStatus),
            typeof(RectificationStatus), typeof(DueKind),
        }.SelectMany(Enum.GetNames).Concat(EventNames.All.Keys.Select(t => t.Name)).Distinct()
            .Where(code => !joinedOnly || code.Skip(1).Any(char.IsUpper));
        var found = codes.SelectMany(code => Regex.Matches(text, $@"(?<![\w/-]){Regex.Escape(code)}(?![\w/-])"))
            .Concat(StoredName().Matches(text))
            .Select(m => $"{m.Value} in “{text.Substring(Math.Max(0, m.Index - 30), Math.Min(text.Length, m.Index + m.Length + 30) - Math.Max(0, m.Index - 30)).ReplaceLineEndings(" ")}”")
            .ToList();
        Assert.True(found.Count == 0, "raw codes on the page: " + string.Join("; ", found));
    }

    /// <summary>The free text in the scenario's requests (never its codes), longest first, with the timeline's 160-character quotes of it.</summary>
    private static readonly Lazy<string[]> ScenarioProse = new(() =>
    {
        string[] keys = ["title", "description", "name", "narrative", "reason", "findings", "statement", "rationale", "response", "subject",
            "options", "decision", "requiredActions", "leadDepartment", "issuer", "source", "summary"];
        var texts = new List<string>();
        void Collect(JsonNode? node, bool prose)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o) Collect(value, keys.Contains(key));
                    break;
                case JsonArray a:
                    foreach (var item in a) Collect(item, prose);
                    break;
                case JsonValue v when prose && v.TryGetValue<string>(out var s):
                    texts.Add(s);
                    if (s.Length > 160) texts.Add(s[..160].TrimEnd());
                    break;
            }
        }
        foreach (var step in JsonNode.Parse(File.ReadAllText(Repository.ScenarioPath))!["steps"]!.AsArray())
            Collect(step!["body"], prose: false);
        return [.. texts.Distinct().OrderByDescending(t => t.Length)];
    });

    [GeneratedRegex(@"\b[a-z]+(?:_[a-z]+)+\.v\d+\b")]
    private static partial Regex StoredName();

    private static string Screenshot(string name)
    {
        var folder = Path.Combine(Repository.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
