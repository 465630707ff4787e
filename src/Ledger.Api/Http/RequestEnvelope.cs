using System.Diagnostics;
using System.Security.Cryptography;
using Ledger.Domain;
using Ledger.Infrastructure.Identity;
using Ledger.Infrastructure.Writing;

namespace Ledger.Api.Http;

/// <summary>Builds the envelope of a write from the request: actor, correlation, causation, idempotency.</summary>
public static class RequestEnvelope
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string CorrelationHeader = "X-Correlation-Id";
    public const string CausationHeader = "X-Causation-Id";
    private const string BodyHashItem = "ledger.body-hash";

    public static Actor Actor(HttpContext http) =>
        LedgerClaims.ToActor(http.User) ?? throw new UnauthorizedAccessException("The token names no ledger role.");

    public static RequestContext For(HttpContext http)
    {
        var headers = http.Request.Headers;
        var correlation = Header(headers, CorrelationHeader, "correlationId")
            ?? Activity.Current?.TraceId.ToString()
            ?? Guid.CreateVersion7().ToString();
        var causation = Header(headers, CausationHeader, "causationId");
        var key = Header(headers, IdempotencyKeyHeader, "idempotencyKey");
        var hash = key is null ? null : http.Items[BodyHashItem] as string;
        return new RequestContext(Actor(http), correlation, causation, key, key is null ? null : $"{http.Request.Method} {http.Request.Path} {hash}");
    }

    private static string? Header(IHeaderDictionary headers, string name, string field)
    {
        var value = headers[name].ToString();
        if (string.IsNullOrEmpty(value)) return null;
        if (value.Length > 200 || value.Any(char.IsControl))
            throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_header", $"The {name} header must be at most 200 printable characters.", field);
        return value;
    }

    /// <summary>
    /// Hashes the body of writes that carry an idempotency key, so a reused key with a different body
    /// is recognised; the body is rewound for model binding.
    /// </summary>
    public static async Task HashBodyAsync(HttpContext http, Func<Task> next)
    {
        if (HttpMethods.IsPost(http.Request.Method) && http.Request.Headers.ContainsKey(IdempotencyKeyHeader))
        {
            http.Request.EnableBuffering();
            using var sha = SHA256.Create();
            var hash = await sha.ComputeHashAsync(http.Request.Body, http.RequestAborted);
            http.Items[BodyHashItem] = Convert.ToHexStringLower(hash);
            http.Request.Body.Position = 0;
        }
        await next();
    }
}
