using Deque.AxeCore.Playwright;
using Ledger.Api.Tests.Support;
using Ledger.Web.Localization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Playwright;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// Screenshots of the console's pages under artifacts/screenshots, the language a context reads them in,
/// and what axe-core finds on them.
/// </summary>
public static class PageShots
{
    public static string PathFor(string name)
    {
        var folder = Path.Combine(Repository.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    /// <summary>Sets the cookie the language switch sets ("zh" or "en"), as a person who chose it would have.</summary>
    public static Task ChooseLanguageAsync(PageTraffic traffic, string language) =>
        traffic.Page.Context.AddCookiesAsync([new Cookie
        {
            Name = ConsoleCultures.CookieName,
            Value = CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)),
            Url = traffic.Origin.GetLeftPart(UriPartial.Authority),
        }]);

    /// <summary>Each serious or critical axe-core violation on the page as shown, one line each: rule, impact, where.</summary>
    public static async Task<IReadOnlyList<string>> SeriousAccessibilityProblemsAsync(IPage page, string label)
    {
        var result = await page.RunAxe();
        return [.. result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .SelectMany(v => v.Nodes.Select(n => $"{label}: {v.Id} ({v.Impact}) at {n.Target}: {v.Help}"))];
    }
}
