using System.Net;
using Ledger.Api.Tests.Support;
using Ledger.Browser.Tests.Support;
using Ledger.Contracts;
using Ledger.Infrastructure.Accounts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests;

/// <summary>
/// Signing in to the console with an account, in a real browser against the real host: the sign-in
/// form, lock-out, sign-out, sessions that end when their account changes, the forced change of a
/// one-time password, antiforgery, and which pages each role opens. Each test opens accounts of its own.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SigningInTests(ConsoleScenario scenario, Chromium chromium)
{
    private const string Password = "a-password-of-our-own";

    private LedgerHost Host => scenario.Host;

    private AccountBook Accounts => Host.Services.GetRequiredService<AccountBook>();

    [Fact]
    public async Task An_account_signs_in_and_lands_on_its_roles_page_or_the_page_it_asked_for()
    {
        // A return path that leaves the host (here "//elsewhere.example/") is not followed: the role's page is.
        foreach (var (role, government, asked, landing) in new[]
        {
            (AccountRole.Supervisor, (string?)null, "?return=%2F%2Felsewhere.example%2F", "/overview"),
            (AccountRole.Government, "430181", "", "/county"),
        })
        {
            var name = await OpenAsync("lands", role, government);
            await using var traffic = await chromium.OpenAsync(scenario.Origin);
            await traffic.Page.GotoAsync(ConsoleSignInPaths.SignIn + asked);
            await SubmitAsync(traffic.Page, name, Password);
            await traffic.Page.WaitForURLAsync(url => new Uri(url).Authority == scenario.Origin.Authority && new Uri(url).AbsolutePath == landing);
        }

        var auditor = await OpenAsync("returns", AccountRole.Auditor);
        await using var returning = await chromium.OpenAsync(scenario.Origin);
        await returning.SignInAsAsync(auditor, Password, ConsoleSignInPaths.AccountsAudit);
        await Expect(returning.Page.GetByRole(AriaRole.Heading, new() { Name = "账号变更记录", Level = 1 })).ToBeVisibleAsync();
        await Expect(returning.Page.Locator("header .who")).ToContainTextAsync(auditor);
        returning.AssertSelfContained();
    }

    [Fact]
    public async Task A_wrong_password_or_name_shows_one_error_in_words_and_appends_nothing()
    {
        var name = await OpenAsync("wrong", AccountRole.Auditor);
        var events = await EventCountAsync();
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.GotoAsync(ConsoleSignInPaths.SignIn);

        await SubmitAsync(traffic.Page, name, "not-the-password");
        await Expect(traffic.Page.Locator("#signin-error")).ToHaveTextAsync("账号或密码不正确。");
        await Expect(traffic.Page.Locator("#signin-name")).ToHaveValueAsync(name);
        await Expect(traffic.Page.Locator("#signin-password")).ToHaveValueAsync("");
        Assert.Equal("/signin", new Uri(traffic.Page.Url).AbsolutePath);

        // An unknown name reads exactly as a wrong password: nothing tells a stranger which names exist.
        await SubmitAsync(traffic.Page, "nobody-here", Password);
        await Expect(traffic.Page.Locator("#signin-error")).ToHaveTextAsync("账号或密码不正确。");

        Assert.Equal(events, await EventCountAsync());
        Assert.Equal(1, await ColumnAsync<int>(name, "failed_attempts"));
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task Five_failures_in_a_row_lock_the_account_for_fifteen_minutes_and_the_page_says_until_when()
    {
        var name = await OpenAsync("locked", AccountRole.Auditor);
        var until = Host.Clock.GetUtcNow() + AccountBook.Lockout;
        var beijing = until.ToOffset(TimeSpan.FromHours(8));
        var words = $"{beijing.Year}年{beijing.Month}月{beijing.Day}日 {beijing:HH:mm}（北京时间）";
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.GotoAsync(ConsoleSignInPaths.SignIn);

        for (var failure = 1; failure < AccountBook.FailuresBeforeLockout; failure++)
        {
            await SubmitAsync(traffic.Page, name, $"wrong-{failure}");
            await Expect(traffic.Page.Locator("#signin-error")).ToHaveTextAsync("账号或密码不正确。");
        }
        await SubmitAsync(traffic.Page, name, "wrong-5");
        await Expect(traffic.Page.Locator("#signin-error")).ToContainTextAsync($"此账号已锁定至{words}");

        // While locked, even the right password does not sign in.
        await SubmitAsync(traffic.Page, name, Password);
        await Expect(traffic.Page.Locator("#signin-error")).ToContainTextAsync($"此账号已锁定至{words}");
        Assert.Equal("/signin", new Uri(traffic.Page.Url).AbsolutePath);
        Assert.True(await ColumnAsync<bool>(name, $"locked_until = '{until:O}'::timestamptz"));
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var name = await OpenAsync("leaves", AccountRole.Auditor);
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsAsync(name, Password, ConsoleSignInPaths.AccountsAudit);

        await traffic.Page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();
        await traffic.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == ConsoleSignInPaths.SignIn);

        await traffic.GotoAsync(ConsoleSignInPaths.AccountsAudit);
        Assert.Equal("/signin?return=%2Faudit%2Faccounts", new Uri(traffic.Page.Url).PathAndQuery);
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task Disabling_an_account_sends_its_open_session_to_sign_in_at_its_next_request()
    {
        var name = await OpenAsync("disabled", AccountRole.Auditor);
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsAsync(name, Password, ConsoleSignInPaths.AccountsAudit);

        await Accounts.DisableAsync(name, AccountBook.Context(ConsoleSession.Administrator), CancellationToken.None);

        await traffic.GotoAsync(ConsoleSignInPaths.AccountsAudit);
        Assert.Equal("/signin?return=%2Faudit%2Faccounts", new Uri(traffic.Page.Url).PathAndQuery);
        await SubmitAsync(traffic.Page, name, Password);
        await Expect(traffic.Page.Locator("#signin-error")).ToHaveTextAsync("此账号已停用，请联系系统管理员。");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_password_reset_ends_the_session_and_the_one_time_password_must_be_replaced_first()
    {
        var name = await OpenAsync("reset", AccountRole.Auditor);
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsAsync(name, Password, ConsoleSignInPaths.AccountsAudit);

        var oneTime = await Accounts.ResetPasswordAsync(name, AccountBook.Context(ConsoleSession.Administrator), CancellationToken.None);

        await traffic.GotoAsync(ConsoleSignInPaths.AccountsAudit);
        Assert.Equal("/signin?return=%2Faudit%2Faccounts", new Uri(traffic.Page.Url).PathAndQuery);
        // The old password is gone; the one-time password signs in to the password page alone.
        await SubmitAsync(traffic.Page, name, Password);
        await Expect(traffic.Page.Locator("#signin-error")).ToHaveTextAsync("账号或密码不正确。");
        await SubmitAsync(traffic.Page, name, oneTime);
        await traffic.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == ConsoleSignInPaths.Password);
        await Expect(traffic.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("您正在使用一次性密码登录");
        await traffic.GotoAsync(ConsoleSignInPaths.AccountsAudit);
        Assert.Equal(ConsoleSignInPaths.Password, new Uri(traffic.Page.Url).AbsolutePath);

        // Errors in words beside the field they concern; nothing changes until the form is right.
        await ChangePasswordAsync(traffic.Page, oneTime, "short", "short");
        await Expect(traffic.Page.Locator("#new-password-error")).ToHaveTextAsync("新密码至少需要10个字符。");
        await ChangePasswordAsync(traffic.Page, "not-the-one-time", "a-new-password-1", "a-new-password-1");
        await Expect(traffic.Page.Locator("#current-password-error")).ToHaveTextAsync("当前密码不正确。");
        await ChangePasswordAsync(traffic.Page, oneTime, "a-new-password-1", "a-new-password-2");
        await Expect(traffic.Page.Locator("#confirm-password-error")).ToHaveTextAsync("两次输入的新密码不一致。");
        Assert.True(await ColumnAsync<bool>(name, "must_change"));

        await ChangePasswordAsync(traffic.Page, oneTime, "a-new-password-1", "a-new-password-1");
        await traffic.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == ConsoleSignInPaths.AccountsAudit);
        await Expect(traffic.Page.GetByRole(AriaRole.Heading, new() { Name = "账号变更记录", Level = 1 })).ToBeVisibleAsync();
        Assert.False(await ColumnAsync<bool>(name, "must_change"));

        // The account's life is on its stream, and no password is in any of its events.
        var stored = await TestDatabase.ScalarAsync<string>(
            $"select string_agg(type || ' ' || data::text, '\n' order by version) from \"{Host.Schema}\".mt_events where stream_id = 'account/{name}'");
        Assert.Equal(["account_created.v1", "account_password_reset.v1", "account_password_changed.v1"], stored.Split('\n').Select(l => l.Split(' ')[0]));
        Assert.DoesNotContain(oneTime, stored);
        Assert.DoesNotContain("a-new-password-1", stored);
        Assert.DoesNotContain(await ColumnAsync<string>(name, "password_hash"), stored);
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused_and_changes_nothing()
    {
        var name = await OpenAsync("forged", AccountRole.Auditor);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = scenario.Origin };

        using var signIn = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["Input.Name"] = name,
            ["Input.Password"] = Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
        Assert.DoesNotContain(signIn.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("ledger.session=", StringComparison.Ordinal));
        Assert.True(await ColumnAsync<bool>(name, "last_sign_in is null"));

        // A page elsewhere cannot sign a person out either: the session goes on.
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsAsync(name, Password, ConsoleSignInPaths.AccountsAudit);
        var signOut = await traffic.Page.APIRequest.PostAsync("/signout", new() { MaxRedirects = 0 });
        Assert.Equal(400, signOut.Status);
        await traffic.Page.ReloadAsync();
        Assert.Equal(ConsoleSignInPaths.AccountsAudit, new Uri(traffic.Page.Url).AbsolutePath);
    }

    [Fact]
    public async Task Each_role_opens_only_its_own_pages()
    {
        var official = await OpenAsync("county", AccountRole.Government, "430181");
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsAsync(official, Password, ConsoleSignInPaths.Password);

        // The supervisors' and auditors' pages that this build has: a county official is sent to /forbidden.
        var routes = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText).ToHashSet();
        string[] closed = ["/overview", "/overdue", "/rectifications", "/scorecards", "/escalations", "/audit", "/audit/access-log", ConsoleSignInPaths.AccountsAudit];
        foreach (var path in closed.Where(routes.Contains))
        {
            await traffic.GotoAsync(path);
            Assert.True(new Uri(traffic.Page.Url).AbsolutePath == "/forbidden", $"a county official opened {path}");
            await Expect(traffic.Page.GetByRole(AriaRole.Heading, new() { Name = "当前账号无权访问此页面。" })).ToBeVisibleAsync();
        }
        traffic.AssertSelfContained();

        // A supervisor and an auditor read the accounts' history.
        foreach (var role in new[] { AccountRole.Supervisor, AccountRole.Auditor })
        {
            await using var reader = await chromium.OpenAsync(scenario.Origin);
            await reader.SignInAsAsync(await OpenAsync("reads", role), Password, ConsoleSignInPaths.AccountsAudit);
            await Expect(reader.Page.Locator($"#account-{official.Replace(".", "\\.", StringComparison.Ordinal)}")).ToContainTextAsync("开设账号");
            reader.AssertSelfContained();
        }
    }

    [Fact]
    public async Task The_account_pages_are_screenshotted_in_both_languages_at_both_sizes()
    {
        var auditor = await OpenAsync("shots", AccountRole.Auditor);
        var newcomer = $"first.{Guid.NewGuid():N}"[..14];
        var oneTime = await ConsoleSession.OpenAsync(Host, newcomer, AccountRole.Government, "430181", password: null);
        foreach (var language in new[] { "zh", "en" })
        {
            foreach (var (width, height) in Screens.Sizes)
            {
                await using var first = await chromium.OpenAsync(scenario.Origin);
                await first.Page.SetViewportSizeAsync(width, height);
                await first.GotoAsync($"/language/{language}?return=/signin");
                await Expect(first.Page.Locator("#signin-name")).ToBeVisibleAsync();
                await first.Page.ScreenshotAsync(new() { Path = Screenshot("signin", language, width) });
                await SubmitAsync(first.Page, newcomer, oneTime);
                await first.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == ConsoleSignInPaths.Password);
                await first.Page.ScreenshotAsync(new() { Path = Screenshot("account-password", language, width), FullPage = true });
                Assert.Equal(0, await PageShots.OverflowAsync(first.Page));
                first.AssertSelfContained();

                await using var reader = await chromium.OpenAsync(scenario.Origin);
                await reader.Page.SetViewportSizeAsync(width, height);
                await reader.GotoAsync($"/language/{language}?return=/signin");
                await reader.SignInAsAsync(auditor, Password, ConsoleSignInPaths.AccountsAudit);
                await reader.Page.ScreenshotAsync(new() { Path = Screenshot("audit-accounts", language, width), FullPage = true });
                Assert.Equal(0, await PageShots.OverflowAsync(reader.Page));
                reader.AssertSelfContained();
            }
        }
    }

    private static string Screenshot(string page, string language, int width) => Screens.PathFor($"{page}-{language}-{width}.png");

    private async Task<string> OpenAsync(string prefix, AccountRole role, string? government = null)
    {
        var name = $"{prefix}.{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await ConsoleSession.OpenAsync(Host, name, role, government, Password);
        return name;
    }

    /// <summary>Sends the sign-in form and waits for the page that answers it.</summary>
    private static async Task SubmitAsync(IPage page, string name, string password)
    {
        await page.Locator("#signin-name").FillAsync(name);
        await page.Locator("#signin-password").FillAsync(password);
        await page.RunAndWaitForResponseAsync(
            () => page.Locator("form button[type=submit]").ClickAsync(),
            r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == ConsoleSignInPaths.SignIn);
        await page.WaitForLoadStateAsync(LoadState.Load);
    }

    private static async Task ChangePasswordAsync(IPage page, string current, string next, string confirm)
    {
        await page.Locator("#current-password").FillAsync(current);
        await page.Locator("#new-password").FillAsync(next);
        await page.Locator("#confirm-password").FillAsync(confirm);
        // The form is enhanced: the page is patched from the answer, which the assertions after this wait for.
        await page.RunAndWaitForResponseAsync(
            () => page.Locator("main form button[type=submit]").ClickAsync(),
            r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == ConsoleSignInPaths.Password);
    }

    private Task<long> EventCountAsync() => TestDatabase.ScalarAsync<long>($"select count(*) from \"{Host.Schema}\".mt_events");

    /// <summary>A column (or an expression over the columns) of the account's row in the accounts' table.</summary>
    private Task<T> ColumnAsync<T>(string account, string column) =>
        TestDatabase.ScalarAsync<T>($"select {column} from \"{Host.Schema}\".{AccountSchema.Table} where account_id = '{account}'");
}
