using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Ledger.Contracts;
using Ledger.Infrastructure.Store;

namespace Ledger.Benchmarks.Appends;

/// <summary>
/// Ours: the ledger's whole HTTP path. The real API in a process of its own (<see cref="ApiChild"/>),
/// in a schema of its own; each append is a POST of a progress report with a real bearer token, through
/// authentication, binding, the decider and the writer's fetch → decide → append (group commit on, as
/// deployed), with the Merkle worker and the projection daemon running as on any node.
/// </summary>
public sealed class OursHttp : IAppendTarget
{
    public const string TemplateCommitment = "bench-template";

    private readonly ApiChild _api;
    private readonly string _connectionString;
    private readonly string _schema;
    private readonly HttpClient _http;
    private readonly PilotSetup _setup;
    private string _run = "";

    private OursHttp(ApiChild api, string connectionString, string schema)
    {
        _api = api;
        _connectionString = connectionString;
        _schema = schema;
        var tokens = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        string Token(string role, string? government) =>
            tokens.GetOrAdd($"{role}:{government}", _ => api.Tokens.Issue(role, government, TimeSpan.FromHours(1)));

        _http = LoopbackApi.Client(api.Address, Token("government", PilotSetup.Liuyang));
        _setup = new PilotSetup(_http, Token);
    }

    public string Name => "ours";

    /// <summary>
    /// How many clients share each stream (1: each client writes to streams of its own). Shared streams get
    /// the same number of reports as unshared ones: each client moves on that many times sooner.
    /// </summary>
    public int ClientsPerStream { get; set; } = 1;

    /// <summary>The API process's peak resident set size so far, in MB.</summary>
    public double ApiPeakRssMb => _api.PeakRssMb;

    public static async Task<OursHttp> StartAsync(string connectionString, string schema)
    {
        var api = await ApiChild.StartAsync(connectionString, schema,
            // The benchmark is one principal at up to 64 clients: the per-principal limit would measure itself.
            "--RateLimits:Enabled=false",
            // The pilot commitments' dates are past: a running deadline clock would append to the measured streams.
            "--Clock:Enabled=false");

        var ours = new OursHttp(api, connectionString, schema);
        await ours._setup.GovernmentsAndAgreementAsync();
        await ours._setup.ActiveCommitmentAsync(TemplateCommitment);
        return ours;
    }

    /// <summary>The events the API wrote for an active commitment, for the peer to start its streams with.</summary>
    public async Task<IReadOnlyList<object>> TemplateEventsAsync()
    {
        await using var store = LedgerStore.Create(_connectionString, _schema, TimeProvider.System);
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(StreamKeys.Commitment(TemplateCommitment));
        return [.. events.Select(e => e.Data)];
    }

    public async Task PrepareAsync(string run, int clients, int operationsPerClient)
    {
        await Parallel.ForEachAsync(
            StreamPlan.CommitmentIds(run, (clients + ClientsPerStream - 1) / ClientsPerStream, operationsPerClient * ClientsPerStream),
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (id, _) => await _setup.ActiveCommitmentAsync(id));
        _run = run;
    }

    public Task AppendAsync(int client, int index)
    {
        var commitment = StreamPlan.CommitmentId(_run, client / ClientsPerStream, index * ClientsPerStream);
        var reportId = ClientsPerStream == 1 ? StreamPlan.ReportId(index) : $"{StreamPlan.ReportId(index)}-{client % ClientsPerStream}";
        return ReportAsync(commitment, reportId, 10, $"Benchmark report {index} from client {client}.");
    }

    /// <summary>Registers the commitment through the API as Liuyang and activates it as the supervisor.</summary>
    public Task ActiveCommitmentAsync(string id) => _setup.ActiveCommitmentAsync(id);

    /// <summary>POSTs one progress report for 2024 (months at Class III or better: <paramref name="value"/>); anything but 201 throws.</summary>
    public async Task ReportAsync(string commitment, string reportId, int value, string narrative)
    {
        var body = $$"""
            {"reportId":"{{reportId}}","period":"2024","asOf":"2024-06-30","values":[{"indicatorId":"months-class-iii","value":{{value}},"text":null}],"narrative":"{{narrative}}"}
            """;
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync($"/api/commitments/{commitment}/progress", content);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST /api/commitments/{commitment}/progress: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }
}
