using System.Net.Http.Headers;
using System.Security.Cryptography;
using Ledger.Infrastructure.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Support;

/// <summary>
/// The real API on Kestrel (a loopback port), on the real PostgreSQL, in a schema of its own, with
/// its own token key and a clock the tests move. One per test class.
/// </summary>
public class LedgerHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public LedgerHost() => UseKestrel(0);

    public string Schema { get; } = TestDatabase.NewSchemaName("api");

    /// <summary>The key given as <c>Auth:SigningKey</c>: the ledger's own tokens are signed with it (unless a provider issues them).</summary>
    public ReadOnlySpan<byte> LocalSigningKey => _key;

    /// <summary>Starts well after the scenario's dates, so past-dated reports are accepted.</summary>
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Ledger", TestDatabase.ConnectionString);
        builder.UseSetting("Ledger:Schema", Schema);
        builder.UseSetting("Auth:SigningKey", Convert.ToBase64String(_key));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        // The clock starts after the pilot commitments' dates, so a running deadline clock would add
        // notices to every stream a test counts; ClockTests turn it on in their Customize.
        builder.UseSetting("Clock:Enabled", "false");
        // A test class sends hundreds of requests as one principal within seconds, so the token
        // buckets would answer some of them 429 depending on the machine's speed; RateLimitTests
        // turn the limits on in their own host.
        builder.UseSetting("RateLimits:Enabled", "false");
        Customize(builder);
    }

    /// <summary>Settings a derived fixture adds (e.g. the Merkle worker off, so a test drives integration).</summary>
    protected virtual void Customize(IWebHostBuilder builder)
    {
    }

    async Task IAsyncLifetime.DisposeAsync() => await StopAsync();

    public Task InitializeAsync()
    {
        StartServer();
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        await Teardown.DisposeAsync(this, $"{GetType().Name} {Schema}");
        await TestDatabase.DropSchemaAsync(Schema);
    }

    public string Token(string role, string? government = null) =>
        new TokenIssuer(Services.GetRequiredService<TokenSettings>(), TimeProvider.System).Issue(role, government, TimeSpan.FromHours(1));

    public HttpClient Client(string role, string? government = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(role, government));
        return client;
    }

    public HttpClient Anonymous() => CreateClient();
}
