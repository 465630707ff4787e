using System.Net;
using System.Net.Http.Headers;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>A host whose principals may send two requests at once and one a second after that.</summary>
public sealed class TightlyLimitedHost : LedgerHost
{
    protected override void Customize(IWebHostBuilder builder)
    {
        builder.UseSetting("RateLimits:Enabled", "true");
        builder.UseSetting("RateLimits:PermitsPerSecond", "1");
        builder.UseSetting("RateLimits:Burst", "2");
    }

    /// <summary>A client with a subject of its own, so each test drains its own bucket.</summary>
    public HttpClient Principal(string subject)
    {
        var token = new TokenIssuer(Services.GetRequiredService<TokenSettings>(), TimeProvider.System)
            .Issue("auditor", null, TimeSpan.FromHours(1), subject);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

/// <summary>
/// Rate limits per principal: the token's subject, or the address of an anonymous caller. A refused
/// request is a 429 problem with code rate_limited and Retry-After; others are not slowed; probes are exempt.
/// </summary>
public sealed class RateLimitTests(TightlyLimitedHost host) : IClassFixture<TightlyLimitedHost>
{
    [Fact]
    public async Task The_third_quick_request_of_a_principal_is_refused_with_429_Retry_After_and_a_problem()
    {
        var client = host.Principal("auditor-burst");

        var responses = await SendQuicklyAsync(client, "/api/governments", count: 4);

        Assert.Equal(HttpStatusCode.OK, responses[0].StatusCode);
        Assert.Equal(HttpStatusCode.OK, responses[1].StatusCode);
        // The third is refused unless the bucket's one-second refill happens to fall between the requests.
        var refused = responses.Skip(2).First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.ReadAsync();
        Assert.Equal(429, (int?)problem["status"]);
        Assert.Equal("rate_limited", (string?)problem["code"]);
    }

    [Fact]
    public async Task Another_principal_is_not_affected_by_one_that_is_over_its_limit()
    {
        var busy = host.Principal("auditor-busy");
        var responses = await SendQuicklyAsync(busy, "/api/agreements", count: 4);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests);

        var other = await host.Principal("auditor-other").GetAsync("/api/agreements");

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Anonymous_callers_are_limited_by_address_and_health_probes_never()
    {
        var anonymous = host.Anonymous();

        var probes = await SendQuicklyAsync(anonymous, "/health/live", count: 6);
        var calls = await SendQuicklyAsync(anonymous, "/api/governments", count: 4);

        Assert.All(probes, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.Unauthorized, calls[0].StatusCode);
        Assert.Contains(calls.Skip(2), r => r.StatusCode == HttpStatusCode.TooManyRequests);
    }

    private static async Task<List<HttpResponseMessage>> SendQuicklyAsync(HttpClient client, string path, int count)
    {
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < count; i++)
            responses.Add(await client.GetAsync(path));
        return responses;
    }
}
