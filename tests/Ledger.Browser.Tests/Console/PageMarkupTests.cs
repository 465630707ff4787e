using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Ledger.Browser.Tests.Support;

namespace Ledger.Browser.Tests.Console;

/// <summary>
/// The console's pages as HTML over the running host, without a browser: each role's pages, read the
/// way a person signed in with that role receives them, parsed with AngleSharp. Every form that posts
/// carries an antiforgery token; every form that can append carries an idempotency key of its own,
/// different in each form on a page and in each rendering of the page (so a double submit appends once,
/// and a page opened twice appends twice); the page says its language.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PageMarkupTests(ConsoleScenario scenario)
{
    private static readonly HtmlParser Parser = new();

    [Fact]
    public async Task Every_posting_form_carries_an_antiforgery_token_and_every_appending_form_a_key_of_its_own()
    {
        var formsWithKeys = 0;
        foreach (var byRole in EveryPageTests.Pages().Select(row => ((string)row[0], (string)row[1], (string)row[2])).GroupBy(p => (p.Item1, p.Item2)))
        {
            var (role, government) = byRole.Key;
            using var client = await SignedInAsync(role, string.IsNullOrEmpty(government) ? null : government);
            foreach (var (_, _, path) in byRole)
            {
                var first = await PageAsync(client, path);
                var second = await PageAsync(client, path);
                Assert.Equal("zh-CN", first.DocumentElement.GetAttribute("lang"));

                var posting = first.QuerySelectorAll<IHtmlFormElement>("form").Where(f => f.Method.Equals("post", StringComparison.OrdinalIgnoreCase)).ToList();
                foreach (var form in posting)
                    Assert.True(!string.IsNullOrEmpty(Field(form, "__RequestVerificationToken")), $"{path}: a form without an antiforgery token: {Describe(form)}");

                var keys = Keys(first);
                Assert.True(keys.All(k => k.Length >= 16), $"{path}: a form key too short to be unique: {string.Join(", ", keys)}");
                Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
                Assert.Empty(keys.Intersect(Keys(second), StringComparer.Ordinal));
                formsWithKeys += keys.Count;
            }
        }
        // The county's, the supervisor's and the decision level's pages write: their forms were seen.
        Assert.True(formsWithKeys >= 8, $"only {formsWithKeys} forms with keys were seen");
    }

    /// <summary>The idempotency keys of a page's forms: every hidden field named *.FormKey.</summary>
    private static List<string> Keys(IDocument page) =>
        [.. page.QuerySelectorAll<IHtmlInputElement>("form input[type=hidden]").Where(i => i.Name?.EndsWith(".FormKey", StringComparison.Ordinal) == true).Select(i => i.Value)];

    private static string? Field(IHtmlFormElement form, string name) =>
        form.QuerySelectorAll<IHtmlInputElement>("input").FirstOrDefault(i => i.Name == name)?.Value;

    private static string Describe(IHtmlFormElement form) => form.OuterHtml.Length > 300 ? form.OuterHtml[..300] + "…" : form.OuterHtml;

    private static async Task<IDocument> PageAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        return await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());
    }

    /// <summary>A client with its own cookies, signed in through the sign-in form as a person is.</summary>
    private async Task<HttpClient> SignedInAsync(string role, string? government)
    {
        var name = await ConsoleSession.AccountForAsync(scenario.Host, role, government);
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = scenario.Origin };
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        var page = await PageAsync(client, "/signin");
        var form = page.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("#signin-name") is not null);
        var fields = form.QuerySelectorAll<IHtmlInputElement>("input[type=hidden]").Select(i => KeyValuePair.Create(i.Name!, i.Value)).ToList();
        fields.Add(KeyValuePair.Create(page.QuerySelector<IHtmlInputElement>("#signin-name")!.Name!, name));
        fields.Add(KeyValuePair.Create(page.QuerySelector<IHtmlInputElement>("#signin-password")!.Name!, ConsoleSession.Password));
        using var signedIn = await client.PostAsync("/signin", new FormUrlEncodedContent(fields));
        Assert.True(signedIn.IsSuccessStatusCode, $"signing in as {name}: {(int)signedIn.StatusCode}");
        Assert.NotEqual("/signin", signedIn.RequestMessage!.RequestUri!.AbsolutePath);
        return client;
    }
}
