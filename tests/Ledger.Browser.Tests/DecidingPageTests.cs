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
/// The decision level's page (<c>/escalations</c>) in a real browser on the shared loaded scenario: an
/// escalation the joint office raised (through the writer, as its own form would) decided by form
/// through the same decider as the API, a refusal shown beside its field in Chinese with nothing
/// appended, a resubmitted form appending once (checked in the event store); an agreement amended
/// likewise, both without script. Each test owns what it writes: escalations on a04-fireworks-automation, amendments of
/// xgb-2021-a04; no other test writes either.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DecidingPageTests(ConsoleScenario scenario, Chromium chromium)
{
    private const string Fireworks = "a04-fireworks-automation";
    private const string Industry = "xgb-2021-a04";

    [Fact]
    public async Task A_decision_by_form_appends_one_EscalationDecided_even_when_the_form_is_sent_twice()
    {
        var escalationId = await RaiseAsync("Lines at 80% need a provincial subsidy the county cannot give",
            ["Fund automated lines from both provinces' industry funds", "Extend the deadline to 2028-12-31"]);
        // Without script, as the form must work: a plain post answered by a whole page.
        await using var traffic = await OpenAsync("decision", javaScript: false);
        await traffic.GotoAsync("/escalations");
        var page = traffic.Page;
        var card = page.Locator($"article.escalation[data-escalation='{escalationId}']");
        await Expect(card.Locator("fieldset label.option")).ToHaveTextAsync(["Fund automated lines from both provinces' industry funds", "Extend the deadline to 2028-12-31"]);
        await Expect(card).ToContainTextAsync("浏阳市");

        // Nothing chosen and nothing written: the decider's refusal beside the options, in Chinese, nothing appended.
        await card.GetByLabel("决定文号").FillAsync("xgb-ppc-views-01");
        await SubmitAsync(card, "作出决定");
        await Expect(card.Locator("fieldset .field-error")).ToHaveTextAsync("此项为必填项。");
        await Expect(card.GetByLabel("决定文号")).ToHaveValueAsync("xgb-ppc-views-01");
        Assert.Equal(0, await DecisionsAsync(escalationId));

        // The first option taken, sent twice at once as a double click would: one decision recorded.
        await card.GetByLabel("Fund automated lines from both provinces' industry funds").CheckAsync();
        await card.GetByLabel("决定内容").FillAsync("Each province funds half.");
        var form = card.Locator("form");
        var fields = await form.EvaluateAsync<string>("f => new URLSearchParams(new FormData(f)).toString()");
        var posts = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => page.APIRequest.PostAsync("/escalations", new()
        {
            Headers = new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" },
            DataString = fields,
        })));
        foreach (var post in posts)
        {
            Assert.Equal(200, post.Status);
            Assert.Contains("已作出决定", await post.TextAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(1, await DecisionsAsync(escalationId));

        // The page read again: decided, with its number and the option taken, and no longer awaiting a decision.
        await traffic.GotoAsync("/escalations");
        var decided = page.Locator($"table[data-view=decided] tr[data-escalation='{escalationId}']");
        await Expect(decided).ToContainTextAsync("xgb-ppc-views-01");
        await Expect(decided.Locator("td.decision")).ToContainTextAsync("Fund automated lines from both provinces' industry funds");
        await Expect(decided.Locator("td.decision")).ToContainTextAsync("Each province funds half.");
        await Expect(page.Locator($"article.escalation[data-escalation='{escalationId}']")).ToHaveCountAsync(0);
        var recorded = await TestDatabase.ScalarAsync<string>(
            $"select data ->> 'decidedBy' from \"{scenario.Host.Schema}\".mt_events where type = 'escalation_decided.v1' and data ->> 'escalationId' = '{escalationId}'");
        Assert.Equal(ConsoleSession.AccountName("decision"), recorded);
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task An_amendment_by_form_is_recorded_once_under_its_decision()
    {
        var before = await AmendmentsAsync();
        await using var traffic = await OpenAsync("decision", javaScript: false);
        await traffic.GotoAsync("/escalations");
        var page = traffic.Page;
        var form = page.Locator("form[aria-labelledby=amend-heading]");

        await form.GetByLabel("合作协议").SelectOptionAsync(Industry);
        await form.GetByLabel("决定文号").FillAsync("xgb-ppc-views-02");
        await SubmitAsync(form, "记录修订");
        await Expect(form.Locator("#amend-summary-error")).ToHaveTextAsync("此项为必填项。");
        Assert.Equal(before, await AmendmentsAsync());

        await form.GetByLabel("修订内容").FillAsync("Adds a fireworks safety fund shared by both provinces.");
        var fields = await form.EvaluateAsync<string>("f => new URLSearchParams(new FormData(f)).toString()");
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var post = await page.APIRequest.PostAsync("/escalations", new()
            {
                Headers = new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" },
                DataString = fields,
            });
            Assert.Equal(200, post.Status);
        }
        Assert.Equal(before + 1, await AmendmentsAsync());

        await traffic.GotoAsync("/escalations");
        await Expect(page.Locator($"table[data-view=amendments] tr[data-agreement='{Industry}']", new() { HasText = "xgb-ppc-views-02" }))
            .ToContainTextAsync("Adds a fireworks safety fund shared by both provinces.");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task Only_the_decision_level_opens_the_escalations_page()
    {
        // (No console account holds the administrator's role: the administrator works with the command-line tool.)
        foreach (var (role, government) in new[] { ("government", (string?)"430181"), ("supervisor", null), ("auditor", null) })
        {
            await using var traffic = await chromium.OpenAsync(scenario.Origin);
            await traffic.SignInAsync(scenario.Host, role, government);
            await traffic.Page.GotoAsync("/escalations");
            await Expect(traffic.Page).ToHaveURLAsync(new Regex("/forbidden"));
        }
    }

    [Fact]
    public async Task The_escalations_page_is_screenshotted_in_both_languages_at_both_sizes_with_no_serious_accessibility_problem()
    {
        var problems = new List<string>();
        // An open escalation, so that the decision form is in the picture.
        await RaiseAsync("Whether the automation target moves with the new national standard", ["Keep 80% by 2027", "Move to 70% by 2027"]);
        foreach (var language in new[] { "zh", "en" })
        {
            await using var traffic = await OpenAsync("decision", language);
            foreach (var width in new[] { 1280, 390 })
            {
                await traffic.Page.SetViewportSizeAsync(width, width == 1280 ? 800 : 844);
                await traffic.GotoAsync("/escalations");
                await Expect(traffic.Page.Locator("html")).ToHaveAttributeAsync("lang", language == "zh" ? "zh-CN" : "en");
                await traffic.Page.ScreenshotAsync(new PageScreenshotOptions { Path = PageShots.PathFor($"escalations-{language}-{width}.png"), FullPage = true });
                if (await PageShots.OverflowAsync(traffic.Page) is > 0 and var overflow)
                    problems.Add($"escalations-{language}-{width}: the page is {overflow} px wider than the screen");
                problems.AddRange(await PageShots.SeriousAccessibilityProblemsAsync(traffic.Page, $"escalations-{language}-{width}"));
            }
            traffic.AssertSelfContained();
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>
    /// The joint office escalates to the decision level, through the writer and decider its own form uses;
    /// one undecided escalation per level at a time, so any left open by an earlier test is decided first.
    /// </summary>
    private async Task<string> RaiseAsync(string subject, IReadOnlyList<string> options)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var writer = scenario.Host.Services.GetRequiredService<LedgerWriter>();
        var now = scenario.Host.Clock.GetUtcNow();
        var state = await writer.LoadAsync<CommitmentState>(StreamKeys.Commitment(Fireworks), CommitmentState.Evolve, timeout.Token);
        var decider = new Actor("decision.setup", ActorRole.Decision);
        foreach (var open in state!.Escalations.Values.Where(x => x.To == GovernanceLevel.Decision && x.DecisionReference is null))
            await writer.ExecuteAsync<CommitmentState>(StreamKeys.Commitment(Fireworks), null, CommitmentState.Evolve,
                s => CommitmentDecider.Decide(s, new DecideEscalation(Fireworks, open.EscalationId, "xgb-ppc-setup", "Closed before a new test.", decider, now)),
                new RequestContext(decider, Guid.NewGuid().ToString()), timeout.Token);

        var id = "esc-views-" + Guid.NewGuid().ToString("N")[..8];
        var office = new Actor("supervisor.joint-office", ActorRole.Supervisor);
        await writer.ExecuteAsync<CommitmentState>(StreamKeys.Commitment(Fireworks), null, CommitmentState.Evolve,
            s => CommitmentDecider.Decide(s, new RaiseEscalation(Fireworks, id, subject, options, null, office, now)),
            new RequestContext(office, Guid.NewGuid().ToString()), timeout.Token);
        return id;
    }

    /// <summary>
    /// Submits by the button and waits for the whole answer; one the browser gave up on fails here, by
    /// name. (With script, the console's enhanced post now and then has its fetch ended by the page
    /// itself as the answer completes, net::ERR_ABORTED, though the answer is shown: these tests post
    /// without script, as the forms must work, and leave the enhanced post to the commitment page's.)
    /// </summary>
    private static async Task SubmitAsync(ILocator form, string button)
    {
        var page = form.Page;
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Finished(object? sender, IRequest request) { if (request.Method == "POST") done.TrySetResult(null); }
        void Failed(object? sender, IRequest request) { if (request.Method == "POST") done.TrySetResult(request.Failure ?? "failed"); }
        page.RequestFinished += Finished;
        page.RequestFailed += Failed;
        try
        {
            await form.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
            Assert.Null(await done.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            page.RequestFinished -= Finished;
            page.RequestFailed -= Failed;
        }
    }

    private async Task<PageTraffic> OpenAsync(string role, string language = "zh", bool javaScript = true)
    {
        var traffic = javaScript
            ? await chromium.OpenAsync(scenario.Origin)
            : await PageTraffic.WatchAsync(await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = scenario.Origin.GetLeftPart(UriPartial.Authority),
                ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
                JavaScriptEnabled = false,
            }), scenario.Origin);
        await traffic.SignInAsync(scenario.Host, role);
        await PageShots.ChooseLanguageAsync(traffic, language);
        return traffic;
    }

    private Task<long> DecisionsAsync(string escalationId) => TestDatabase.ScalarAsync<long>(
        $"select count(*) from \"{scenario.Host.Schema}\".mt_events where stream_id = '{StreamKeys.Commitment(Fireworks)}' " +
        $"and type = 'escalation_decided.v1' and data ->> 'escalationId' = '{escalationId}'");

    private Task<long> AmendmentsAsync() => TestDatabase.ScalarAsync<long>(
        $"select count(*) from \"{scenario.Host.Schema}\".mt_events where stream_id = '{StreamKeys.Agreement(Industry)}' and type = 'agreement_amended.v1'");
}
