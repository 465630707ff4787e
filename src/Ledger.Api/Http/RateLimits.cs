using System.Globalization;
using System.Threading.RateLimiting;
using Ledger.Infrastructure;
using Ledger.Infrastructure.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Ledger.Api.Http;

/// <summary>Section <c>RateLimits</c>: a token bucket per principal.</summary>
public sealed class RateLimitSettings
{
    public const string Section = "RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Tokens added back each second.</summary>
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>The bucket's size: how many requests a principal may send at once after a pause.</summary>
    public int Burst { get; set; } = 100;
}

/// <summary>Refuses a bucket that could never let a request through, naming the key.</summary>
public sealed class RateLimitSettingsValidator : IValidateOptions<RateLimitSettings>
{
    public ValidateOptionsResult Validate(string? name, RateLimitSettings options) =>
        options.PermitsPerSecond > 0 && options.Burst > 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("RateLimits:PermitsPerSecond and RateLimits:Burst must be positive.");
}

/// <summary>
/// One token bucket per principal: the token's subject when the request is authenticated, the
/// remote address otherwise, so one busy client cannot starve the others. Health probes are never
/// limited. A refused request answers 429 problem+json with code <c>rate_limited</c> and Retry-After.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddLedgerRateLimits(this IServiceCollection services)
    {
        services.AddValidatedSettings<RateLimitSettings, RateLimitSettingsValidator>(RateLimitSettings.Section);
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitSettings>>((options, settings) =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Partition(http, settings.Value));
            options.OnRejected = RejectAsync;
        });
        return services;
    }

    public static RateLimitPartition<string> Partition(HttpContext http, RateLimitSettings settings)
    {
        if (!settings.Enabled || http.Request.Path.StartsWithSegments("/health"))
            return RateLimitPartition.GetNoLimiter("");
        var subject = http.User.Identity?.IsAuthenticated == true ? http.User.FindFirst(LedgerClaims.Subject)?.Value : null;
        var key = string.IsNullOrEmpty(subject)
            ? "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown")
            : "sub:" + subject;
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = settings.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = true,
            // Refuse at once rather than queue: a client told when to come back can plan; one left waiting cannot.
            QueueLimit = 0,
        });
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests.",
            Detail = $"This client is over its request rate; try again in {seconds} s.",
        };
        problem.Extensions["code"] = "rate_limited";
        await http.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }
}
