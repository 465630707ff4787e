using Ledger.Api.Tests.Support;
using Ledger.Browser.Tests.Support;
using Ledger.Contracts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests;

/// <summary>
/// Signing in to the console through a real OpenID Connect provider (OpenIddict, started by the
/// fixture) when <c>Auth:Authority</c> names it: a page sends the person to the provider's own
/// sign-in page, they come back signed in with the provider's subject as the actor of what they
/// write; an identity without a ledger role is refused in words; signing out ends the session here
/// and at the provider. The host is the fixture's own, so its writes touch no other test's data.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ProviderSignInTests(Chromium chromium, ProviderConsoleScenario scenario) : IClassFixture<ProviderConsoleScenario>
{
    private const string Liuyang = "430181";
    private const string Water = "a01-water-class-iii";

    private IdentityProvider Provider => scenario.Provider;

    [Fact]
    public async Task A_county_official_signs_in_at_the_provider_and_the_report_they_send_records_the_providers_subject()
    {
        // An opaque subject, as providers give: it, not the name typed at the provider, is the actor.
        var official = Provider.Add(new ProviderPerson("zhang.wei", "provider-password-1", $"idp-{Guid.NewGuid():N}"[..16], "张伟", "government", Liuyang));
        await using var traffic = await chromium.OpenAsync(scenario.Origin, identityProvider: Provider.Issuer);
        var report = $"/county/commitments/{Water}/report";

        await traffic.Page.GotoAsync(report);
        await SignInAtProviderAsync(traffic.Page, official);
        await traffic.Page.WaitForURLAsync(url => OnLedger(url) && new Uri(url).AbsolutePath == report);

        await Expect(traffic.Page.Locator("header .who")).ToContainTextAsync("张伟");
        // Authorization code with PKCE (S256), asking for the scope that carries the ledger's claims.
        Assert.NotEmpty(Provider.Authorizations);
        Assert.All(Provider.Authorizations, asked =>
        {
            Assert.Equal("code", (string?)asked["response_type"]);
            Assert.Equal("S256", (string?)asked["code_challenge_method"]);
            Assert.Contains("ledger", ((string?)asked["scope"] ?? "").Split(' '));
        });

        var narrative = $"统一身份认证登录后填报 {Guid.NewGuid():N}"[..30];
        await traffic.Page.GetByLabel("Water-quality class of the month").SelectOptionAsync(new SelectOptionValue { Label = "Ⅲ类" });
        await traffic.Page.GetByLabel("进展情况说明").FillAsync(narrative);
        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Expect(traffic.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("进展情况已于");

        var recorded = await TestDatabase.ScalarAsync<string>(
            $"select user_name || ' ' || (data ->> 'reportedBy') from \"{scenario.Host.Schema}\".mt_events " +
            $"where stream_id = '{StreamKeys.Commitment(Water)}' and type = 'progress_reported.v1' and data ->> 'narrative' = '{narrative}'");
        Assert.Equal($"{official.Subject} {official.Subject}", recorded);

        // The provider keeps this person's password: the console offers no form to change it.
        await Expect(traffic.Page.Locator("header .account a[href='/account/password']")).ToHaveCountAsync(0);
        await traffic.GotoAsync("/account/password");
        await Expect(traffic.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("您通过统一身份认证平台登录，密码由该平台管理，请在该平台修改。");
        await Expect(traffic.Page.Locator("#new-password")).ToHaveCountAsync(0);
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_provider_identity_without_a_ledger_role_is_refused_with_a_page_that_says_why()
    {
        var stranger = Provider.Add(new ProviderPerson("li.na", "provider-password-2", $"idp-{Guid.NewGuid():N}"[..16], "李娜", Role: null));
        await using var traffic = await chromium.OpenAsync(scenario.Origin, identityProvider: Provider.Issuer);

        await traffic.Page.GotoAsync("/overview");
        await SignInAtProviderAsync(traffic.Page, stranger);
        await traffic.Page.WaitForURLAsync(url => OnLedger(url) && new Uri(url).AbsolutePath == "/signin");

        await Expect(traffic.Page.Locator("#signin-error")).ToHaveTextAsync(
            "统一身份认证平台已确认您的身份，但未授予您本系统的角色，因此无法进入。请联系系统管理员在认证平台为您授予角色。");
        Assert.DoesNotContain(await traffic.Page.Context.CookiesAsync([scenario.Origin.ToString()]), c => c.Name == "ledger.session");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task The_sign_in_page_offers_the_provider_and_says_that_password_sign_in_is_off()
    {
        var auditor = Provider.Add(new ProviderPerson("zhao.min", "provider-password-3", $"idp-{Guid.NewGuid():N}"[..16], "赵敏", "auditor"));
        await using var traffic = await chromium.OpenAsync(scenario.Origin, identityProvider: Provider.Issuer);

        await traffic.GotoAsync("/signin");
        await Expect(traffic.Page.Locator("#signin-local-off")).ToHaveTextAsync("已启用统一身份认证，本系统的账号密码登录已关闭。");
        await Expect(traffic.Page.Locator("#signin-password")).ToHaveCountAsync(0);

        await traffic.Page.GetByRole(AriaRole.Link, new() { Name = "前往统一身份认证平台登录" }).ClickAsync();
        await SignInAtProviderAsync(traffic.Page, auditor);
        // With nothing asked for, the person lands where their role's work is.
        await traffic.Page.WaitForURLAsync(url => OnLedger(url) && new Uri(url).AbsolutePath == "/audit");
        await Expect(traffic.Page.Locator("header .who")).ToContainTextAsync("赵敏");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task Signing_out_ends_the_session_here_and_at_the_provider()
    {
        var supervisor = Provider.Add(new ProviderPerson("chen.jing", "provider-password-4", $"idp-{Guid.NewGuid():N}"[..16], "陈静", "supervisor"));
        await using var traffic = await chromium.OpenAsync(scenario.Origin, identityProvider: Provider.Issuer);
        await traffic.Page.GotoAsync("/overdue");
        await SignInAtProviderAsync(traffic.Page, supervisor);
        await traffic.Page.WaitForURLAsync(url => OnLedger(url) && new Uri(url).AbsolutePath == "/overdue");
        var ended = Provider.EndedSessions;

        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();
        await traffic.Page.WaitForURLAsync(url => OnLedger(url) && new Uri(url).AbsolutePath == "/signin");
        Assert.Equal(ended + 1, Provider.EndedSessions);

        // Neither session is left: a page sends the person to the provider, which asks for the password again.
        await traffic.Page.GotoAsync("/overdue");
        await traffic.Page.WaitForURLAsync(url => !OnLedger(url) && new Uri(url).AbsolutePath == "/login");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_provider_session_ends_twelve_hours_after_signing_in_however_busy_and_the_provider_is_asked_again()
    {
        var auditor = Provider.Add(new ProviderPerson("sun.li", "provider-password-5", $"idp-{Guid.NewGuid():N}"[..16], "孙丽", "auditor"));
        await using var traffic = await chromium.OpenAsync(scenario.Origin, identityProvider: Provider.Issuer);
        await traffic.Page.GotoAsync("/audit");
        await SignInAtProviderAsync(traffic.Page, auditor);
        await traffic.Page.WaitForURLAsync(url => OnLedger(url) && new Uri(url).AbsolutePath == "/audit");
        var start = scenario.Host.Clock.GetUtcNow();
        try
        {
            // A page every 25 minutes keeps the session from idling out (30 minutes) for eleven hours and
            // forty minutes; there is no account row to check, and the provider is not asked again.
            var asked = Provider.Authorizations.Count;
            for (var step = 1; step <= 28; step++)
            {
                scenario.Host.Clock.Advance(TimeSpan.FromMinutes(25));
                await traffic.GotoAsync("/audit");
                Assert.True(OnLedger(traffic.Page.Url) && new Uri(traffic.Page.Url).AbsolutePath == "/audit", $"sent away after {step * 25} minutes: {traffic.Page.Url}");
            }
            Assert.Equal(asked, Provider.Authorizations.Count);

            // Twenty-five minutes on, five past the twelve hours (and still within the idle timeout), the
            // session is refused: the person goes to the provider, which decides afresh (it still knows
            // them, so it sends them straight back with a new session).
            scenario.Host.Clock.Advance(TimeSpan.FromMinutes(25));
            await traffic.GotoAsync("/audit");
            Assert.True(Provider.Authorizations.Count > asked, "the session outlived its twelve hours");
            Assert.Equal("/audit", new Uri(traffic.Page.Url).AbsolutePath);
        }
        finally
        {
            scenario.Host.Clock.Set(start);
        }
        traffic.AssertSelfContained();
    }

    private bool OnLedger(string url) =>
        string.Equals(new Uri(url).GetLeftPart(UriPartial.Authority), scenario.Origin.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);

    /// <summary>Waits for the provider's own sign-in page and fills it in as the person.</summary>
    private async Task SignInAtProviderAsync(IPage page, ProviderPerson person)
    {
        await page.WaitForURLAsync(url => !OnLedger(url) && new Uri(url).AbsolutePath == "/login");
        await page.Locator("#login").FillAsync(person.Login);
        await page.Locator("#password").FillAsync(person.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in at the provider" }).ClickAsync();
    }
}
