using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Ledger.Infrastructure.Identity;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Benchmarks.Queries;

/// <summary>
/// The real API (<see cref="LedgerApi.Build"/>) on Kestrel on a loopback port, over the generated
/// zone ledger's schema, read as a supervisor with a real bearer token. Nothing in it writes while it
/// is measured: no daemon (the views were rebuilt before), no deadline clock, no background Merkle
/// integration, no per-principal rate limit (one principal at several clients would measure the limit).
/// </summary>
public sealed class ZoneApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ZoneApi(WebApplication app, Uri address, string token)
    {
        _app = app;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseProxy = false }) { BaseAddress = address };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public HttpClient Http { get; }

    public IDocumentStore Store => _app.Services.GetRequiredService<IDocumentStore>();

    public static async Task<ZoneApi> StartAsync(string connectionString, string schema)
    {
        var app = LedgerApi.Build(
        [
            $"--ConnectionStrings:Ledger={connectionString}",
            $"--Ledger:Schema={schema}",
            $"--Auth:SigningKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            "--urls=http://127.0.0.1:0",
            "--RateLimits:Enabled=false",
            "--Clock:Enabled=false",
            "--Ledger:Daemon=Disabled",
            "--Integrity:Background=false",
        ], builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var token = new TokenIssuer(app.Services.GetRequiredService<TokenSettings>(), TimeProvider.System).Issue("supervisor", null, TimeSpan.FromHours(2));
        return new ZoneApi(app, new Uri(address), token);
    }

    /// <summary>GET, failing loudly on anything but 200; the body as text.</summary>
    public async Task<string> GetAsync(string path, CancellationToken ct)
    {
        using var response = await Http.GetAsync(path, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
