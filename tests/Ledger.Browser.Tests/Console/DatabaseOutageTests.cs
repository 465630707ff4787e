using System.Net;
using Ledger.Api.Tests.Support;
using Ledger.Browser.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests.Console;

/// <summary>
/// PostgreSQL stops under a running console and starts again: every page shows the console's own 503
/// page in words (Chinese and English), with Retry-After, never raw problem+json or a stack trace;
/// liveness stays 200; and the page comes back by itself once the database does. The host and its
/// cluster are this class's own, so that stopping PostgreSQL disturbs no other test.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DatabaseOutageTests(Chromium chromium) : IAsyncLifetime
{
    private const string TitleZh = "台账数据库暂时无法访问";
    private const string TitleEn = "The ledger's database cannot be reached right now";

    private PrivateCluster _cluster = null!;
    private OutageHost _host = null!;

    private sealed class OutageHost(string connectionString) : LedgerHost
    {
        public Uri Origin => new(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

        protected override void Customize(IWebHostBuilder builder) => builder.UseSetting("ConnectionStrings:Ledger", connectionString);
    }

    public async Task InitializeAsync()
    {
        _cluster = await PrivateCluster.CreateAsync();
        _host = new OutageHost(_cluster.ConnectionString);
        await _host.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        // Not StopAsync: the schema lives in the private cluster, which goes away whole.
        if (_host is not null) await Teardown.DisposeAsync(_host, nameof(DatabaseOutageTests));
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task While_PostgreSQL_is_down_a_page_shows_the_503_page_in_words_and_comes_back_by_itself_once_it_is_up()
    {
        await using var traffic = await chromium.OpenAsync(_host.Origin);
        await traffic.SignInAsync(_host, "supervisor");
        Assert.Equal(200, (await traffic.GotoAsync("/overview")).Status);
        var page = traffic.Page;

        await _cluster.StopAsync();

        // A link followed within the console (its enhanced navigation fetches the page): the message in place.
        await page.Locator("nav.sections a[href='overdue'], nav.sections a[href='/overdue']").First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = TitleZh, Level = 1 })).ToBeVisibleAsync();

        // A page opened afresh: 503 with Retry-After, the console's page in Chinese, nothing internal.
        var down = await traffic.GotoAsync("/overview");
        Assert.Equal(503, down.Status);
        Assert.StartsWith("text/html", down.Headers["content-type"], StringComparison.Ordinal);
        Assert.True(int.TryParse(down.Headers.GetValueOrDefault("retry-after"), out var seconds) && seconds > 0, "Retry-After is missing");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = TitleZh, Level = 1 })).ToBeVisibleAsync();
        var zh = await page.InnerTextAsync("main");
        Assert.Contains("没有丢失", zh, StringComparison.Ordinal);
        Assert.Contains("自动重试", zh, StringComparison.Ordinal);
        AssertNothingInternal(zh);
        Assert.Equal(HttpStatusCode.OK, (await _host.Anonymous().GetAsync("/health/live")).StatusCode);

        // In English, as a person who chose it.
        await PageShots.ChooseLanguageAsync(traffic, "en");
        var english = await traffic.GotoAsync("/overview");
        Assert.Equal(503, english.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = TitleEn, Level = 1 })).ToBeVisibleAsync();
        var en = await page.InnerTextAsync("main");
        Assert.Contains("Nothing has been lost", en, StringComparison.Ordinal);
        Assert.Contains("tries again", en, StringComparison.Ordinal);
        AssertNothingInternal(en);
        await traffic.Page.Context.ClearCookiesAsync(new BrowserContextClearCookiesOptions { Name = ".AspNetCore.Culture" });

        await Screens.CaptureAsync(traffic, "/overview", "database-unavailable",
            p => Expect(p.Locator("[data-outage] h1")).ToBeVisibleAsync());
        Assert.Empty(await PageShots.SeriousAccessibilityProblemsAsync(page, "503 page"));

        // Back up: the page the test left on the 503 page shows the overview by itself, with no reload by the test.
        await Expect(page.Locator("[data-outage]")).ToBeVisibleAsync();
        await _cluster.StartAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "总览", Level = 1 })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.Equal("/overview", new Uri(page.Url).AbsolutePath);
        await Expect(page.Locator("[data-outage]")).ToHaveCountAsync(0);

        // What went wrong on the way was the 503 answers alone: no other error, nothing from elsewhere, no script error.
        var others = traffic.Problems.Where(p => !p.Contains(" 503", StringComparison.Ordinal)).ToList();
        Assert.True(others.Count == 0, string.Join("\n", others));
    }

    private static void AssertNothingInternal(string text)
    {
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("database_unavailable", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"status\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }
}
