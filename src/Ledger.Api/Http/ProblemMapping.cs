using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ledger.Domain;
using Ledger.Infrastructure.Resilience;
using Ledger.Infrastructure.Telemetry;
using Ledger.Infrastructure.Writing;
using Ledger.Projections.Querying;
using Marten;
using Microsoft.AspNetCore.Diagnostics;

namespace Ledger.Api.Http;

/// <summary>
/// Every failure becomes RFC 9457 problem+json with a stable <c>code</c> and, where one input is at
/// fault, its <c>field</c>. Nothing internal (stack traces, SQL, type names) reaches the client.
/// </summary>
public sealed partial class ProblemMapping(IProblemDetailsService problems, IDocumentStore store, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, code, detail, field) = Map(exception);
        if (exception is StreamContended)
        {
            // Logged by the writer; the client comes back in a moment.
            http.Response.Headers.RetryAfter = "1";
        }
        else if (status == StatusCodes.Status503ServiceUnavailable)
        {
            // An outage fails every request alike: one line each, not a stack trace each.
            logger.LogWarning("Database unavailable on {Method} {Path}: {Error}", http.Request.Method, http.Request.Path, exception.Message);
            http.Response.Headers.RetryAfter = DatabaseFailures.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (status >= 500)
        {
            // Once at Error: a failure the store's logger already wrote (with its statement) gets one line here.
            var trace = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
            if (FailureLog.IsLogged(exception))
                logger.LogInformation("Answered 500 on {Method} {Path}: {Error} (trace {TraceId}; the store logged the failure)",
                    http.Request.Method, http.Request.Path, FailureLog.Describe(exception), trace);
            else
                logger.LogError(exception, "Unhandled failure on {Method} {Path} (trace {TraceId})", http.Request.Method, http.Request.Path, trace);
            FailureLog.MarkLogged(exception);
            // A value PostgreSQL refused may have left the connection it was sent on out of step; that
            // connection is back in the pool by now, so the pool is cleared (PreparedStatements says why).
            if (store.Storage.Database is Weasel.Postgresql.PostgresqlDatabase database
                && Ledger.Infrastructure.Resilience.PreparedStatements.ClearPoolAfter(exception, database.DataSource))
                logger.LogWarning("Cleared the connection pool after PostgreSQL refused a value on {Method} {Path}", http.Request.Method, http.Request.Path);
        }
        http.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = Title(status), Detail = detail };
        problem.Extensions["code"] = code;
        if (field is not null) problem.Extensions["field"] = field;
        if (exception is StreamVersionConflict conflict) problem.Extensions["currentVersion"] = conflict.Actual;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = null });
    }

    public static (int Status, string Code, string Detail, string? Field) Map(Exception exception) => exception switch
    {
        DomainException d => (d.Kind switch
        {
            DomainErrorKind.Conflict => StatusCodes.Status409Conflict,
            DomainErrorKind.Forbidden => StatusCodes.Status403Forbidden,
            DomainErrorKind.NotFound => StatusCodes.Status404NotFound,
            _ => StatusCodes.Status422UnprocessableEntity,
        }, d.Code, d.Message, d.Field),
        RequestRejected r => (r.Status, r.Code, r.Message, r.Field),
        Ledger.Infrastructure.Audit.AuditRequestException a => (a.Status, a.Code, a.Message, a.Field),
        ViewRefused v => (v.Kind == RefusalKind.Malformed ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity, v.Code, v.Message, v.Field),
        StreamVersionConflict c => (StatusCodes.Status412PreconditionFailed, "version_conflict",
            $"The resource is at version {c.Actual}, not {c.Expected}.", "If-Match"),
        StreamContended => (StatusCodes.Status503ServiceUnavailable, "stream_busy",
            "Other writers kept changing this resource; nothing was recorded. Send the request again (with the same Idempotency-Key, if it had one).", null),
        IdempotencyKeyReused => (StatusCodes.Status422UnprocessableEntity, "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request.", "Idempotency-Key"),
        UnauthorizedAccessException => (StatusCodes.Status403Forbidden, "no_ledger_role", "The token names no ledger role.", null),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "payload_too_large", "The request body is too large.", null),
        BadHttpRequestException { InnerException: JsonException j } => FromJson(j),
        BadHttpRequestException b when b.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase)
            => (400, "body_required", "A JSON body is required.", null),
        BadHttpRequestException b when b.StatusCode == StatusCodes.Status415UnsupportedMediaType
            || b.Message.Contains("supported JSON media type", StringComparison.OrdinalIgnoreCase)
            => (415, "unsupported_media_type", "Send the body as application/json.", null),
        BadHttpRequestException b => (b.StatusCode, "bad_request", "The request could not be read.", null),
        // A transaction commits whole or not at all; if the connection broke during a commit the client
        // cannot know which, so it is told to read or to retry with the same Idempotency-Key.
        _ when DatabaseFailures.IsUnavailable(exception) => (StatusCodes.Status503ServiceUnavailable, "database_unavailable",
            "The ledger's database is unavailable; try again shortly. Nothing was recorded unless a later read shows it; "
            + "a retry with the same Idempotency-Key is safe.", null),
        _ => (500, "internal_error", "The ledger could not complete the request; nothing was recorded unless a later read shows it.", null),
    };

    /// <summary>Problems written by the framework itself (401, 403, 404, 405, 413, 415) get a code too.</summary>
    public static void AddStatusCode(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("code")) return;
        problem.Extensions["code"] = problem.Status switch
        {
            401 => "unauthenticated",
            403 => "forbidden",
            404 => "not_found",
            405 => "method_not_allowed",
            413 => "payload_too_large",
            415 => "unsupported_media_type",
            _ => "error",
        };
    }

    private static (int, string, string, string?) FromJson(JsonException j)
    {
        var message = j.Message;
        var missing = MissingProperty().Match(message);
        var field = JsonPath(j.Path);
        if (missing.Success)
        {
            // The path points at the object that lacks the property: "values[0]" + "text".
            var name = field is null ? missing.Groups[1].Value : $"{field}.{missing.Groups[1].Value}";
            return (400, "field_required", $"'{name}' is required.", name);
        }
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            return (400, "unknown_field", $"'{field}' is not a field of this request.", field);
        if (message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase)
            || message.Contains("maximum allowed depth", StringComparison.OrdinalIgnoreCase))
            return (400, "too_deep", "The JSON is nested too deeply.", field);
        // A syntax error surfaces as a JsonException wrapping the reader's own exception.
        if (j.InnerException is JsonException || j.Path is null || j.Path == "$")
            return (400, "malformed_json", "The body is not valid JSON for this request.", field);
        return (400, "invalid_value", $"'{field}' has a value of the wrong type or outside its allowed values.", field);
    }

    // "$.indicators[0].measure" → "indicators[0].measure"
    private static string? JsonPath(string? path) => path is null or "$" ? null : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string Title(int status) => status switch
    {
        400 => "The request is malformed.",
        401 => "Authentication is required.",
        403 => "This actor may not do that.",
        404 => "Not found.",
        409 => "The request conflicts with the ledger's state.",
        412 => "The resource changed since you read it.",
        413 => "The request is too large.",
        415 => "Unsupported media type.",
        422 => "The request breaks a rule of the ledger.",
        503 => "The ledger is temporarily unavailable.",
        _ => "The ledger failed.",
    };

    [GeneratedRegex("missing required properties including: '([^']+)'")]
    private static partial Regex MissingProperty();
}
