using System.Diagnostics;
using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Api.Supervision;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Identity;
using Ledger.Infrastructure.Store;
using Ledger.Projections.Querying;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Ledger.Api.Audit;

/// <summary>One page of the access log, newest first; <see cref="Next"/> is the cursor of the following page (null on the last).</summary>
public sealed record AccessLogPage(IReadOnlyList<AccessLogEntry> Items, string? Next);

/// <summary>
/// Every replay is recorded in one place, a middleware: exactly the endpoints marked with
/// <see cref="Replays.IsReplay{TBuilder}"/> (event histories, OCDS records, as-of, diff, views as they
/// were, and the access log itself), whatever their path. A record's current state is not a replay and
/// is not recorded. It runs before authorization, so a refused attempt (403) is recorded as well as a
/// granted one. The answer is held back until its entry is committed: a read whose access cannot be recorded fails with
/// 503 and discloses nothing. Requests without a token are not recorded; they are refused (401) before
/// anything is read and there is nobody to hold to account.
/// </summary>
public static class AccessLogEndpoints
{
    public const string AccessLogUnavailable = "access_log_unavailable";

    private static readonly string[] Filters = ["actor", "subject", "from", "to"];
    // Query parameters that name what is read, beside the route's own ids.
    private static readonly string[] SubjectParameters = ["government", "governmentId", "agreement", "agreementId", "commitment", "commitmentId", "stream"];

    public static IServiceCollection AddAccessLog(this IServiceCollection services) =>
        services.AddSingleton(sp => new AccessLog(
            sp.GetRequiredKeyedService<NpgsqlDataSource>("ledger-integrity"), sp.GetRequiredService<LedgerSettings>().Schema, sp.GetRequiredService<TimeProvider>()));

    /// <summary>Place after authentication (the actor is known) and before authorization (refusals are recorded too).</summary>
    public static IApplicationBuilder UseAccessLog(this IApplicationBuilder app) => app.Use(RecordAsync);

    public static RouteGroupBuilder MapAccessLogEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Policies.SupervisorOrDecision).WithStandardResponses();
        // Reading who replayed what is itself accountable: a refused peek is recorded like a granted one.
        group.MapGet("/access-log", Query).IsReplay()
            .WithName("AccessLog").WithSummary("Who replayed or exported what, when, and the outcome; filter by actor, subject, from/to; newest first, keyset paged.");
        return group;
    }

    private static async Task RecordAsync(HttpContext http, Func<Task> next)
    {
        if (!Replays.IsReplay(http.GetEndpoint()) || http.User.Identity?.IsAuthenticated != true)
        {
            await next();
            return;
        }
        var log = http.RequestServices.GetRequiredService<AccessLog>();
        var attempt = Attempt(http, log.Time.GetUtcNow());

        var original = http.Features.Get<IHttpResponseBodyFeature>()!;
        await using var buffer = new MemoryStream();
        http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer, original));
        int status;
        try
        {
            await next();
            status = http.Response.StatusCode;
        }
        catch (Exception ex)
        {
            http.Features.Set(original);
            status = ex is OperationCanceledException && http.RequestAborted.IsCancellationRequested
                ? 499 // the client went away; nothing was answered
                : ProblemMapping.Map(ex).Status;
            await RecordOrRefuseAsync(log, attempt, status, http.RequestAborted);
            throw;
        }
        http.Features.Set(original);
        await RecordOrRefuseAsync(log, attempt, status, http.RequestAborted);
        // An empty answer (authorization's 403) is left without a Content-Length, so the status-code
        // page still writes its problem+json: "Content-Length: 0" tells it the body is final.
        if (buffer.Length == 0) return;
        http.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(http.Response.Body, http.RequestAborted);
    }

    private static async Task RecordOrRefuseAsync(AccessLog log, AccessAttempt attempt, int status, CancellationToken ct)
    {
        try
        {
            await log.RecordAsync(attempt, status, ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            throw new RequestRejected(StatusCodes.Status503ServiceUnavailable, AccessLogUnavailable,
                "This read could not be recorded in the access log, so it is not answered; try again shortly.");
        }
    }

    private static AccessAttempt Attempt(HttpContext http, DateTimeOffset at)
    {
        var user = http.User;
        var actor = new AccessActor(user.FindFirst(LedgerClaims.Subject)?.Value, user.FindFirst(LedgerClaims.Role)?.Value, user.FindFirst(LedgerClaims.Government)?.Value);
        var pattern = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        var action = $"GET {(pattern is null ? http.Request.Path.Value : "/" + pattern.TrimStart('/'))}";

        var subjects = new List<string>();
        foreach (var (_, value) in http.Request.RouteValues)
        {
            if (value is string text && !string.IsNullOrWhiteSpace(text)) subjects.Add(text);
        }
        var filters = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, values) in http.Request.Query)
        {
            var given = values.Where(v => v is not null).Select(v => v!).ToList();
            filters[name] = given;
            if (SubjectParameters.Contains(name, StringComparer.Ordinal))
                subjects.AddRange(given.Where(v => !string.IsNullOrWhiteSpace(v)));
        }

        var header = http.Request.Headers[RequestEnvelope.CorrelationHeader].ToString();
        var correlation = header.Length is > 0 and <= 200 && !header.Any(char.IsControl)
            ? header
            : Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
        return new AccessAttempt(at, actor, action, http.Request.Path.Value ?? "", subjects, filters, correlation);
    }

    public static async Task<Ok<AccessLogPage>> Query(HttpContext http, AccessLog log)
    {
        var query = ViewQuery.For(ViewRequests.From(http, Filters), Filters);
        var now = log.Time.GetUtcNow();
        var (from, to) = AuditQuery.Range(query.Text("from"), query.Text("to"), now);
        var limit = query.Limit();
        var before = query.Text("cursor") is { } cursor
            ? AccessLogCursor.Read(cursor) ?? throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_cursor", "'cursor' is not a cursor this API issued.", "cursor")
            : (long?)null;

        var (entries, next) = await log.QueryAsync(new AccessLogQuery(query.Text("actor"), query.Text("subject"), from, to, limit, before), http.RequestAborted);
        return TypedResults.Ok(new AccessLogPage(entries, next is { } id ? AccessLogCursor.Write(id) : null));
    }
}
