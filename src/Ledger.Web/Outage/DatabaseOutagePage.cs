using System.Globalization;
using Ledger.Infrastructure.Resilience;
using Ledger.Web.Components.Outage;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Logging;

namespace Ledger.Web.Outage;

/// <summary>
/// While PostgreSQL cannot be reached, a page the browser asked for answers 503 with Retry-After and a
/// page in the console's own look that says so in words, instead of the API's problem+json shown as
/// raw text. Registered before the API's problem mapping: the API's requests, and the console's
/// script fetches (which ask for JSON), still get problem+json.
/// </summary>
public sealed class DatabaseOutagePage(ILoggerFactory loggers) : IExceptionHandler
{
    private readonly ILogger _logger = loggers.CreateLogger<DatabaseOutagePage>();

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!DatabaseFailures.IsUnavailable(exception) || !AsksForAPage(http.Request)) return false;
        // An outage fails every page alike: one line each, not a stack trace each.
        _logger.LogWarning("Database unavailable on {Method} {Path}: {Error} (answered the console's 503 page)",
            http.Request.Method, http.Request.Path, exception.Message);

        // The language was chosen by the localization middleware further in; the culture it set did not
        // flow back out to this handler, so it is set again from what that middleware recorded.
        if (http.Features.Get<IRequestCultureFeature>()?.RequestCulture is { } chosen)
        {
            CultureInfo.CurrentCulture = chosen.Culture;
            CultureInfo.CurrentUICulture = chosen.UICulture;
        }
        var seconds = DatabaseFailures.RetryAfterSeconds;
        var path = http.Request.PathBase + http.Request.Path + http.Request.QueryString;
        await using var renderer = new HtmlRenderer(http.RequestServices, loggers);
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var page = await renderer.RenderComponentAsync<DatabaseUnavailable>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(DatabaseUnavailable.Path)] = ConsoleHost.LocalPath(path.ToString()),
                [nameof(DatabaseUnavailable.RetryAfterSeconds)] = seconds,
                [nameof(DatabaseUnavailable.Submitted)] = !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method),
            }));
            return page.ToHtmlString();
        });

        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(html, ct);
        return true;
    }

    /// <summary>
    /// A browser's request for a page: not the API's or the health checks', and one that accepts HTML
    /// (a navigation, a form post, the console's enhanced navigation). A script's fetch for JSON is not.
    /// </summary>
    internal static bool AsksForAPage(HttpRequest request)
    {
        if (request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/health")) return false;
        var accept = request.GetTypedHeaders().Accept;
        return accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
    }
}
