using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ledger.Api.Tests.Support;
using Ledger.Browser.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests;

/// <summary>
/// Government networks are often closed: every page the host serves loads all it needs from the host
/// itself (no font or script CDN) and names no other host, checked in a real browser against the
/// real API on Kestrel.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class SelfContainedPagesTests(LedgerHost host, Chromium chromium) : IClassFixture<LedgerHost>
{
    // The pages a person opens in a browser, and the routes outside /api that are not pages: a new
    // route outside /api fails Every_page_outside_the_api_is_one_these_tests_load until it is listed.
    private static readonly string[] Pages =
    [
        "/scalar/{documentName?}", "/openapi/{documentName}.json", "/", "/forbidden",
        "/signin", "/account/password", "/audit/accounts",
        "/county", "/county/due", "/county/scorecards", "/county/commitments/{CommitmentId}/report",
        "/county/commitments/{CommitmentId}/evidence", "/county/commitments/{CommitmentId}/claim",
        "/county/commitments/{CommitmentId}/correct", "/county/rectifications/{CommitmentId}/{RectificationId}",
        "/audit", "/audit/commitments/{CommitmentId}", "/audit/views", "/audit/access-log", "/audit/export", "/audit/verify",
        "/overview", "/overdue", "/rectifications", "/scorecards", "/escalations", "/commitments/{Id}",
    ];
    private static readonly string[] NotPages =
    [
        "/scalar/scalar.js", "/scalar/scalar.aspnetcore.js", "/scalar/favicon.svg", "/health/live", "/health/ready", "/language/{name}",
        "/signout", "/evidence/{sha256}",
        // Static assets served from the build's folders (not a published copy) fall back to this route,
        // and enhanced navigation follows a form post's redirect through the second.
        "{**path:file}", "/_framework/opaque-redirect",
        // The auditors' downloads and the proof verify.js fetches (AuditExportDownloadTests, BrowserVerificationTests).
        "/audit/commitments/{commitmentId}/events/{sequence:long}/proof", "/audit/verify/offline", "/audit/export/bundle",
    ];

    // The address Kestrel bound (a loopback port the system chose).
    private Uri Origin => new(host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    [Fact]
    public async Task The_API_reference_loads_only_from_the_host_and_shows_the_operations()
    {
        var document = await DocumentAsync();
        await using var traffic = await chromium.OpenAsync(Origin);

        var response = await traffic.GotoAsync("/scalar");

        // Rendered, not a blank page: the title, every tag in the sidebar and the first tag's operations.
        await Expect(traffic.Page.GetByRole(AriaRole.Heading, new() { Name = "Ledger API", Level = 1 })).ToBeVisibleAsync();
        var sidebar = traffic.Page.GetByRole(AriaRole.Complementary);
        var tags = document["tags"]!.AsArray().Select(t => (string)t!["name"]!).ToList();
        Assert.NotEmpty(tags);
        foreach (var tag in tags)
            await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = tag, Exact = true })).ToBeVisibleAsync();
        var firstTagOperations = Summaries(document, tags[0]);
        Assert.NotEmpty(firstTagOperations);
        foreach (var summary in firstTagOperations)
            await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = summary }).First).ToBeVisibleAsync();
        await traffic.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("scalar.png") });

        Assert.Empty(ForeignUrls(await response.TextAsync()));
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task The_OpenAPI_document_names_no_other_host()
    {
        await using var traffic = await chromium.OpenAsync(Origin);

        var response = await traffic.GotoAsync("/openapi/v1.json");

        var body = await response.TextAsync();
        Assert.Equal("3.1.1", (string?)JsonNode.Parse(body)!["openapi"]);
        Assert.Empty(ForeignUrls(body));
        traffic.AssertSelfContained();
    }

    [Fact]
    public void Every_page_outside_the_api_is_one_these_tests_load()
    {
        var routes = host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            // Static files: the console's own (_content/Ledger.Web/…), its styles bundled by the host, the framework's script.
            .Where(e => e.Metadata.GetMetadata<StaticAssetDescriptor>() is null)
            .Select(e => e.RoutePattern.RawText ?? "")
            .Where(route => !route.StartsWith("/api", StringComparison.Ordinal))
            // Static files: the console's own (_content/Ledger.Web/…), the framework's script, and the
            // stylesheet bundle the build makes of the pages' isolated CSS (Ledger.Api[.fingerprint].styles.css[.gz]).
            .Where(route => !route.StartsWith("_content/", StringComparison.Ordinal) && !route.StartsWith("_framework/", StringComparison.Ordinal)
                && !route.Contains(".styles.css", StringComparison.Ordinal))
            .Distinct()
            .ToList();

        Assert.Empty(routes.Except(Pages).Except(NotPages));
        Assert.All(Pages.Concat(NotPages), listed => Assert.Contains(listed, routes));
    }

    private static List<string> Summaries(JsonNode document, string tag) =>
        [.. document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => operation.Value!))
            .Where(operation => operation["tags"]?.AsArray().Any(t => (string?)t == tag) == true)
            .Select(operation => (string)operation["summary"]!)];

    private async Task<JsonNode> DocumentAsync() =>
        JsonNode.Parse(await host.Anonymous().GetStringAsync("/openapi/v1.json"))!;

    // Absolute URLs in what the host sent, other than its own: a page that names another host will
    // sooner or later make a browser ask it.
    private List<string> ForeignUrls(string body)
    {
        var own = Origin.GetLeftPart(UriPartial.Authority);
        return [.. AbsoluteUrl().Matches(body).Select(m => m.Value)
            .Where(url => !Uri.TryCreate(url, UriKind.Absolute, out var uri)
                || !string.Equals(uri.GetLeftPart(UriPartial.Authority), own, StringComparison.OrdinalIgnoreCase))];
    }

    private static string Screenshot(string name)
    {
        var folder = Path.Combine(Repository.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    [GeneratedRegex(@"(?:https?|wss?)://[^\s""'<>)]+", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteUrl();
}
