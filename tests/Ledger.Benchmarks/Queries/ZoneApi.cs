using System.Net;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Benchmarks.Queries;

/// <summary>
/// The real API on Kestrel on a loopback port (<see cref="LoopbackApi"/>), over the generated
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
        Http = LoopbackApi.Client(address, token);
    }

    public HttpClient Http { get; }

    public IDocumentStore Store => _app.Services.GetRequiredService<IDocumentStore>();

    public static async Task<ZoneApi> StartAsync(string connectionString, string schema)
    {
        var (app, address) = await LoopbackApi.StartAsync(connectionString, schema,
            "--RateLimits:Enabled=false",
            "--Clock:Enabled=false",
            "--Ledger:Daemon=Disabled",
            "--Integrity:Background=false",
            // The replay case takes the views' snapshots itself, timed; a background pass would load the queries.
            "--ViewSnapshots:Enabled=false");
        var token = LoopbackApi.Tokens(app).Issue("supervisor", null, TimeSpan.FromHours(2));
        return new ZoneApi(app, address, token);
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
