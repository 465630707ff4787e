using Microsoft.Playwright;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// One page in a browser context of its own, and everything it asked for. The ledger runs on closed
/// networks, so a page must bring all it needs from the host that served it: a request to any other
/// host is stopped before it leaves the machine and recorded, and so are requests that failed,
/// answers of 400 and above, console errors and uncaught script errors.
/// </summary>
public sealed class PageTraffic : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly string _authority;
    private readonly string? _provider;
    private readonly Lock _gate = new();
    private readonly List<string> _requests = [];
    private readonly List<string> _problems = [];

    private PageTraffic(IBrowserContext context, IPage page, Uri origin, Uri? identityProvider)
    {
        _context = context;
        Page = page;
        _authority = origin.GetLeftPart(UriPartial.Authority);
        _provider = identityProvider?.GetLeftPart(UriPartial.Authority);
        Origin = origin;
    }

    public IPage Page { get; }

    /// <summary>The host the page was opened for.</summary>
    public Uri Origin { get; }

    /// <summary>Every request the page made, in order, as "METHOD url".</summary>
    public IReadOnlyList<string> Requests { get { lock (_gate) return [.. _requests]; } }

    /// <summary>What went wrong, one line each, naming the request or message.</summary>
    public IReadOnlyList<string> Problems { get { lock (_gate) return [.. _problems]; } }

    /// <param name="context">The browser context to watch.</param>
    /// <param name="origin">The host the pages are opened for.</param>
    /// <param name="identityProvider">The one other host a page may send the person to: the identity provider they sign in at.</param>
    internal static async Task<PageTraffic> WatchAsync(IBrowserContext context, Uri origin, Uri? identityProvider = null)
    {
        var page = await context.NewPageAsync();
        var traffic = new PageTraffic(context, page, origin, identityProvider);
        // On the context, so that requests from workers and pages the page opens are seen too.
        await context.RouteAsync("**/*", traffic.RouteAsync);
        context.Request += (_, request) => traffic.Record($"{request.Method} {request.Url}");
        context.RequestFailed += (_, request) =>
        {
            // The console's enhanced navigation cancels its fetch of a page once the next navigation or
            // form post begins (net::ERR_ABORTED): the browser's choice, not the host's failure, which
            // shows as an error status or a refused connection instead.
            if (traffic.OnHost(request.Url) && request.Failure != "net::ERR_ABORTED")
                traffic.Fail($"failed request: {request.Method} {request.Url} ({request.Failure})");
        };
        context.Response += (_, response) =>
        {
            if (response.Status >= 400) traffic.Fail($"answered {response.Status}: {response.Request.Method} {response.Url}");
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error") traffic.Fail($"console error: {message.Text} (at {message.Location})");
        };
        page.PageError += (_, error) => traffic.Fail($"uncaught error: {error}");
        page.WebSocket += (_, socket) =>
        {
            if (!traffic.OnHost(socket.Url)) traffic.Fail($"web socket to another host: {socket.Url}");
        };
        return traffic;
    }

    /// <summary>Opens <paramref name="path"/> and waits until the page has made no request for half a second.</summary>
    public async Task<IResponse> GotoAsync(string path)
    {
        var response = await Page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        return response ?? throw new InvalidOperationException($"no response for {path}");
    }

    /// <summary>Fails naming every request that left the host and everything else that went wrong.</summary>
    public void AssertSelfContained()
    {
        var requests = Requests;
        var problems = Problems;
        Assert.True(requests.Count > 0, "the page made no request at all");
        Assert.True(problems.Count == 0,
            $"{problems.Count} problem(s) on a page served by {_authority}:\n  " + string.Join("\n  ", problems)
            + $"\nall {requests.Count} request(s):\n  " + string.Join("\n  ", requests));
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();

    private async Task RouteAsync(IRoute route)
    {
        var request = route.Request;
        if (OnHost(request.Url))
        {
            await route.ContinueAsync();
            return;
        }
        Fail($"request to another host: {request.Method} {request.Url}");
        await route.AbortAsync("blockedbyclient");
    }

    /// <summary>
    /// Whether a URL stays on the host that served the page: the same scheme, host and port, or a
    /// scheme that never reaches the network (inline data, object URLs, blank pages). The identity
    /// provider's host counts too where the context was opened for one.
    /// </summary>
    private bool OnHost(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return false;
        if (uri.Scheme is "data" or "blob" or "about") return true;
        var authority = uri.GetLeftPart(UriPartial.Authority);
        return string.Equals(authority, _authority, StringComparison.OrdinalIgnoreCase)
            || (_provider is not null && string.Equals(authority, _provider, StringComparison.OrdinalIgnoreCase));
    }

    private void Record(string request)
    {
        lock (_gate) _requests.Add(request);
    }

    private void Fail(string problem)
    {
        lock (_gate) _problems.Add(problem);
    }
}
