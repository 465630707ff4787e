using Microsoft.Playwright;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// Debian's chromium, driven by Playwright, launched once and shared by every test class in the
/// <see cref="BrowserCollection"/>; each test opens its own context (cookies, storage) with
/// <see cref="OpenAsync"/>. <c>./ops/ledger test</c> installs chromium when it is missing.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    // Playwright's own browser download is not reachable from a closed network, and there is no
    // environment variable for the executable: the path is given at launch.
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("chromium has not been launched");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: ./ops/ledger test installs it (apt-get install chromium)");
        _playwright = await Playwright.CreateAsync();
        // Five seconds by default: a 5 MB script bundle on a busy two-core machine can take longer
        // to render, and a waiting assertion returns as soon as the page is there.
        Assertions.SetDefaultExpectTimeout(30_000);
        // Launch gives the browser a fresh profile folder of its own each time (Playwright refuses
        // --user-data-dir here). No sandbox: the tests run as root, which chromium's sandbox refuses.
        // No background networking or component updates: the browser itself must not reach out
        // either, so that every request seen is one a page made.
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    /// <summary>
    /// A fresh context whose pages may load from <paramref name="origin"/> alone: a request anywhere
    /// else is stopped before it leaves the machine and recorded, as are failed requests, error
    /// answers, console errors and uncaught script errors (see <see cref="PageTraffic"/>).
    /// </summary>
    /// <param name="origin">The only host the pages may load from.</param>
    /// <param name="javaScript">False opens a context with script off: reading and forms must still work.</param>
    /// <param name="identityProvider">The OpenID Connect provider the person signs in at, the one other host allowed.</param>
    public async Task<PageTraffic> OpenAsync(Uri origin, bool javaScript = true, Uri? identityProvider = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            JavaScriptEnabled = javaScript,
            BaseURL = origin.GetLeftPart(UriPartial.Authority),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            // The console's people browse in Chinese: the browser asks for zh-CN, as theirs do.
            Locale = "zh-CN",
        });
        return await PageTraffic.WatchAsync(context, origin, identityProvider);
    }
}

/// <summary>
/// The test classes that share one <see cref="Chromium"/>. Classes in one collection run one after
/// another, which also keeps a single browser's load on the machine at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Chromium>, ICollectionFixture<ConsoleScenario>
{
    public const string Name = "browser";
}
