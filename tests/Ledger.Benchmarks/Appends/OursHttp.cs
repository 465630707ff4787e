using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Ledger.Contracts;
using Ledger.Infrastructure.Identity;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Benchmarks.Appends;

/// <summary>
/// Ours: the ledger's whole HTTP path. The real API (<see cref="LedgerApi.Build"/>) on Kestrel on a
/// loopback port, in a schema of its own; each append is a POST of a progress report with a real
/// bearer token, through authentication, binding, the decider and the writer's fetch → decide → append.
/// </summary>
public sealed class OursHttp : IAppendTarget
{
    public const string TemplateCommitment = "bench-template";

    private readonly WebApplication _app;
    private readonly HttpClient _http;
    private readonly PilotSetup _setup;
    private string _run = "";

    private OursHttp(WebApplication app, Uri address)
    {
        _app = app;
        var issuer = new TokenIssuer(app.Services.GetRequiredService<TokenSettings>(), TimeProvider.System);
        var tokens = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        string Token(string role, string? government) =>
            tokens.GetOrAdd($"{role}:{government}", _ => issuer.Issue(role, government, TimeSpan.FromHours(1)));

        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseProxy = false }) { BaseAddress = address };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("government", PilotSetup.Liuyang));
        _setup = new PilotSetup(_http, Token);
    }

    public string Name => "ours";

    public static async Task<OursHttp> StartAsync(string connectionString, string schema)
    {
        var app = LedgerApi.Build(
        [
            $"--ConnectionStrings:Ledger={connectionString}",
            $"--Ledger:Schema={schema}",
            $"--Auth:SigningKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            "--urls=http://127.0.0.1:0",
            // The benchmark is one principal at up to 64 clients: the per-principal limit would measure itself.
            "--RateLimits:Enabled=false",
            // The pilot commitments' dates are past: a running deadline clock would append to the measured streams.
            "--Clock:Enabled=false",
        ], builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

        var ours = new OursHttp(app, new Uri(address));
        await ours._setup.GovernmentsAndAgreementAsync();
        await ours._setup.ActiveCommitmentAsync(TemplateCommitment);
        return ours;
    }

    /// <summary>The events the API wrote for an active commitment, for the peer to start its streams with.</summary>
    public async Task<IReadOnlyList<object>> TemplateEventsAsync()
    {
        await using var session = _app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(StreamKeys.Commitment(TemplateCommitment));
        return [.. events.Select(e => e.Data)];
    }

    public async Task PrepareAsync(string run, int clients, int operationsPerClient)
    {
        await Parallel.ForEachAsync(
            StreamPlan.CommitmentIds(run, clients, operationsPerClient),
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (id, _) => await _setup.ActiveCommitmentAsync(id));
        _run = run;
    }

    public async Task AppendAsync(int client, int index)
    {
        var commitment = StreamPlan.CommitmentId(_run, client, index);
        var body = $$"""
            {"reportId":"{{StreamPlan.ReportId(index)}}","period":"2024","asOf":"2024-06-30","values":[{"indicatorId":"months-class-iii","value":10,"text":null}],"narrative":"Benchmark report {{index}} from client {{client}}."}
            """;
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync($"/api/commitments/{commitment}/progress", content);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST /api/commitments/{commitment}/progress: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
