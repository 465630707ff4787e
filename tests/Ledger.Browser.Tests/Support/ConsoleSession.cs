using Ledger.Api.Tests.Support;
using Ledger.Web.Signing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// Signs a browser context in to the console as a role. For now the session cookie is sealed with the
/// host's own cookie protection (as the API tests mint tokens with the host's key); once accounts
/// exist, this signs in through the sign-in page instead, and every test that calls it follows.
/// </summary>
public static class ConsoleSession
{
    /// <returns>The subject the session carries (the name every appended event records).</returns>
    public static async Task<string> SignInAsync(this PageTraffic traffic, LedgerHost host, string role, string? government = null)
    {
        var options = host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(ConsoleSignIn.Scheme);
        var subject = government is null ? $"{role}.test" : $"{role}.{government}";
        var ticket = new AuthenticationTicket(ConsoleSignIn.Principal(subject, role, government), ConsoleSignIn.Scheme);
        await traffic.Page.Context.AddCookiesAsync([new Cookie
        {
            Name = ConsoleSignIn.CookieName,
            Value = options.TicketDataFormat.Protect(ticket),
            Url = traffic.Origin.GetLeftPart(UriPartial.Authority),
        }]);
        return subject;
    }
}
