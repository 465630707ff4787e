using Ledger.Api.Tests.Support;
using Ledger.Contracts;
using Ledger.Domain;
using Ledger.Infrastructure.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// Signs a browser context in to the console as a role, the way a person does: an account for the
/// role is opened (or reused) through the account book the command-line tool uses, and the browser
/// signs in through the sign-in form.
/// </summary>
public static class ConsoleSession
{
    /// <summary>The password of every account these tests open for a role.</summary>
    public const string Password = "console-test-password";

    /// <summary>The administrator the tests open accounts as, as the command-line tool would.</summary>
    public static readonly Actor Administrator = new("os:tests@browser", ActorRole.Admin);

    /// <summary>Signs in as a role (a government bound to <paramref name="government"/>) and waits on a page of one's own account.</summary>
    /// <returns>The account's name: the subject the session carries, which every appended event records.</returns>
    public static async Task<string> SignInAsync(this PageTraffic traffic, LedgerHost host, string role, string? government = null)
    {
        var name = await AccountForAsync(host, role, government);
        await traffic.SignInAsAsync(name, Password, landing: ConsoleSignInPaths.Password);
        return name;
    }

    /// <summary>The account the tests use for a role, opened on first use with <see cref="Password"/>.</summary>
    public static async Task<string> AccountForAsync(LedgerHost host, string role, string? government = null)
    {
        var name = AccountName(role, government);
        var accounts = host.Services.GetRequiredService<AccountBook>();
        if (!Enum.TryParse<AccountRole>(role, ignoreCase: true, out var accountRole))
            throw new ArgumentException($"no console account holds the role '{role}' (one of: {string.Join(", ", Enum.GetNames<AccountRole>())})", nameof(role));
        if (!await accounts.PasswordStandsAsync(name, Password, CancellationToken.None))
            await OpenAsync(host, name, accountRole, government, Password);
        return name;
    }

    /// <summary>The name of the account the tests sign in with for a role: the subject its events record.</summary>
    public static string AccountName(string role, string? government = null) =>
        government is null ? $"test.{role}" : $"test.{role}.{government}";

    /// <summary>Opens an account through the account book, as <c>ledger user add</c> does (with a password that needs no change).</summary>
    public static Task<string> OpenAsync(LedgerHost host, string name, AccountRole role, string? government, string? password) =>
        host.Services.GetRequiredService<AccountBook>()
            .CreateAsync(name, role, government, password, AccountBook.Context(Administrator), CancellationToken.None);

    /// <summary>Fills in and sends the sign-in form, then waits for the page it leads to.</summary>
    public static async Task SignInAsAsync(this PageTraffic traffic, string name, string password, string landing)
    {
        await traffic.Page.GotoAsync($"/signin?return={Uri.EscapeDataString(landing)}");
        await traffic.Page.Locator("#signin-name").FillAsync(name);
        await traffic.Page.Locator("#signin-password").FillAsync(password);
        await traffic.Page.Locator("form button[type=submit]").ClickAsync();
        await traffic.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == landing, new PageWaitForURLOptions { WaitUntil = WaitUntilState.Load });
    }
}

/// <summary>The console's account paths the tests go to.</summary>
public static class ConsoleSignInPaths
{
    public const string SignIn = "/signin";
    public const string Password = "/account/password";
    public const string AccountsAudit = "/audit/accounts";
}
