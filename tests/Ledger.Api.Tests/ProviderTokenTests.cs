using System.Net;
using System.Net.Http.Headers;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Identity;
using Ledger.Web.Signing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>
/// The API's bearer path with <c>Auth:Authority</c> set: the tokens a real OpenID Connect provider
/// (OpenIddict, started here) issues are accepted, with their subject recorded as the actor; a token
/// from another provider, an expired one and one the ledger's own key signed are refused with 401.
/// </summary>
public sealed class ProviderTokenTests(ProviderTokenTests.Fixture fixture) : IClassFixture<ProviderTokenTests.Fixture>
{
    private ProviderLedgerHost Host => fixture.Host;

    [Fact]
    public async Task A_token_the_provider_issues_is_accepted_and_its_subject_is_the_actor_of_the_events_it_appends()
    {
        Assert.True(Host.Services.GetRequiredService<ConsoleSignInMode>().Provider);
        var registry = fixture.Provider.Add(new ProviderClient("zone-registry", "registry-secret") { Role = "admin" });
        var token = await fixture.Provider.ServiceTokenAsync(registry);

        var register = await WithToken(token).PostAsync("/api/governments", Json.Body(new
        {
            governmentId = PilotZone.Shangli, nameZh = "上栗县", nameEn = "Shangli", province = "Jiangxi", prefecture = "Pingxiang", level = "County",
        }));

        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        Assert.Equal("zone-registry", await TestDatabase.ScalarAsync<string>(
            $"select user_name from \"{Host.Schema}\".mt_events where type = 'government_registered.v1' and data ->> 'governmentId' = '{PilotZone.Shangli}'"));
        var reader = fixture.Provider.Add(new ProviderClient("zone-reader", "reader-secret") { Role = "auditor" });
        var read = await WithToken(await fixture.Provider.ServiceTokenAsync(reader)).GetAsync("/api/governments");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Contains("Shangli", await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_from_another_provider_with_the_same_client_and_claims_is_refused_with_401()
    {
        await using var stranger = new IdentityProvider();
        await stranger.StartAsync();
        var ours = fixture.Provider.Add(new ProviderClient("twin-reader", "twin-secret") { Role = "auditor" });
        var theirs = stranger.Add(ours with { });

        Assert.Equal(HttpStatusCode.OK, (await WithToken(await fixture.Provider.ServiceTokenAsync(ours)).GetAsync("/api/governments")).StatusCode);
        var refused = await WithToken(await stranger.ServiceTokenAsync(theirs)).GetAsync("/api/governments");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task An_expired_token_from_the_provider_is_refused_with_401()
    {
        var client = fixture.Provider.Add(new ProviderClient("late-reader", "late-secret") { Role = "auditor" });
        // Issued two hours ago for the provider's hour: expired an hour ago, well past the 30 s of skew allowed.
        // The class's tests run one at a time, so no other token is issued meanwhile.
        fixture.Provider.ClockShift = TimeSpan.FromHours(-2);
        string expired;
        try
        {
            expired = await fixture.Provider.ServiceTokenAsync(client);
        }
        finally
        {
            fixture.Provider.ClockShift = TimeSpan.Zero;
        }

        var refused = await WithToken(expired).GetAsync("/api/governments");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("expired", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await WithToken(await fixture.Provider.ServiceTokenAsync(client)).GetAsync("/api/governments")).StatusCode);
    }

    [Theory]
    [InlineData(null, "missing_zone")]
    [InlineData("zone-b", "wrong_zone")]
    public async Task A_provider_token_without_this_zones_ledger_zone_claim_is_refused_with_401_naming_the_claim(string? zone, string code)
    {
        var client = fixture.Provider.Add(new ProviderClient($"zoneless-reader-{code}", "zoneless-secret") { Role = "auditor", Zone = zone });

        var refused = await WithToken(await fixture.Provider.ServiceTokenAsync(client)).GetAsync("/api/governments");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.ReadAsync();
        Assert.Equal(code, (string?)problem["code"]);
        Assert.Equal("ledger_zone", (string?)problem["claim"]);
    }

    [Fact]
    public async Task A_token_the_ledgers_own_key_signs_is_refused_with_401_once_a_provider_issues_them()
    {
        // Signed with the key the host is given as Auth:SigningKey, which it would use without a provider.
        var local = new TokenSettings(TokenSettings.DefaultIssuer, TokenSettings.DefaultAudience, null, null, Host.LocalSigningKey.ToArray());
        var token = new TokenIssuer(local, TimeProvider.System).Issue("auditor", null, TimeSpan.FromHours(1));

        var response = await WithToken(token).GetAsync("/api/governments");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_host_given_a_provider_but_no_client_id_refuses_to_start_and_says_which_setting_is_missing()
    {
        var host = new ClientlessHost(fixture.Provider);
        try
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(host.InitializeAsync);

            Assert.Contains("Auth:ClientId is required", refused.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private HttpClient WithToken(string token)
    {
        var client = Host.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private sealed class ClientlessHost(IdentityProvider provider) : ProviderLedgerHost(provider)
    {
        protected override void Customize(IWebHostBuilder builder)
        {
            base.Customize(builder);
            builder.UseSetting("Auth:ClientId", "");
        }
    }

    /// <summary>A provider and the ledger host that trusts it, for the class.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public Fixture() => Host = new ProviderLedgerHost(Provider);

        public IdentityProvider Provider { get; } = new();

        public ProviderLedgerHost Host { get; }

        public async Task InitializeAsync()
        {
            await Provider.StartAsync();
            await Host.InitializeAsync();
        }

        public async Task DisposeAsync()
        {
            await ((IAsyncLifetime)Host).DisposeAsync();
            await Provider.DisposeAsync();
        }
    }
}
