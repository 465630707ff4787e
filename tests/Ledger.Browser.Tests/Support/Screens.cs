using Ledger.Api.Tests.Support;
using Microsoft.Playwright;

namespace Ledger.Browser.Tests.Support;

/// <summary>Screenshots of a console page in both languages at a laptop's and a phone's size, into artifacts/screenshots/.</summary>
public static class Screens
{
    public static readonly (int Width, int Height)[] Sizes = [(1280, 800), (390, 844)];

    public static string PathFor(string name)
    {
        var folder = Path.Combine(Repository.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    /// <summary>
    /// Opens <paramref name="path"/> in Chinese and in English, at both sizes, and saves each full page as
    /// &lt;name&gt;-&lt;lang&gt;-&lt;width&gt;.png; <paramref name="ready"/> waits for what the page must show before
    /// each shot. Fails when a page is wider than its screen (a phone would scroll sideways).
    /// </summary>
    public static async Task CaptureAsync(PageTraffic traffic, string path, string name, Func<IPage, Task>? ready = null)
    {
        var tooWide = new List<string>();
        foreach (var language in new[] { "zh", "en" })
        {
            await traffic.Page.Context.AddCookiesAsync([new Cookie
            {
                Name = ".AspNetCore.Culture",
                Value = $"c={language}|uic={language}",
                Url = traffic.Origin.GetLeftPart(UriPartial.Authority),
            }]);
            foreach (var (width, height) in Sizes)
            {
                await traffic.Page.SetViewportSizeAsync(width, height);
                await traffic.GotoAsync(path);
                if (ready is not null) await ready(traffic.Page);
                await traffic.Page.ScreenshotAsync(new PageScreenshotOptions { Path = PathFor($"{name}-{language}-{width}.png"), FullPage = true });
                if (await PageShots.OverflowAsync(traffic.Page) is > 0 and var overflow)
                    tooWide.Add($"{name}-{language}-{width}: {overflow} px wider than the screen");
            }
        }
        await traffic.Page.Context.ClearCookiesAsync(new BrowserContextClearCookiesOptions { Name = ".AspNetCore.Culture" });
        await traffic.Page.SetViewportSizeAsync(1280, 900);
        // Back to the page as the test had it, in the browser's own language.
        await traffic.GotoAsync(path);
        Assert.True(tooWide.Count == 0, string.Join("\n", tooWide));
    }
}
