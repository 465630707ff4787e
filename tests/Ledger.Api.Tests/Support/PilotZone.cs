using System.Net;

namespace Ledger.Api.Tests.Support;

/// <summary>
/// Sets up the pilot-zone slice of <see cref="PilotRequests"/> on a test host, through the API as users would.
/// </summary>
public static class PilotZone
{
    public const string Liuyang = PilotRequests.Liuyang;
    public const string Shangli = PilotRequests.Shangli;
    public const string Liling = PilotRequests.Liling;
    public const string Agreement = PilotRequests.Agreement;
    public const string Commitment = PilotRequests.Commitment;

    public static async Task<HttpResponseMessage> Ok(this Task<HttpResponseMessage> call)
    {
        var response = await call;
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    public static Task RegisterGovernmentsAsync(LedgerHost host) => SendAsync(host, PilotRequests.Governments());

    public static Task ActivateAgreementAsync(LedgerHost host) => SendAsync(host, PilotRequests.ActiveAgreement());

    /// <summary>The governments and the active agreement, unless a test of the class (which shares the host) has set them up already.</summary>
    public static async Task EnsureAgreementAsync(LedgerHost host)
    {
        if ((await host.Client("auditor").GetAsync($"/api/agreements/{Agreement}")).StatusCode != HttpStatusCode.NotFound) return;
        await RegisterGovernmentsAsync(host);
        await ActivateAgreementAsync(host);
    }

    public static object WaterCommitment(string id = Commitment) => PilotRequests.WaterCommitment(id);

    /// <summary>The water commitment registered by Liuyang and activated by the supervisor.</summary>
    public static Task ActiveCommitmentAsync(LedgerHost host, string id = Commitment) => SendAsync(host, PilotRequests.ActiveCommitment(id));

    public static async Task<long> StreamLengthAsync(LedgerHost host, string streamKey) =>
        await TestDatabase.ScalarAsync<long>($"select count(*) from \"{host.Schema}\".mt_events where stream_id = '{streamKey.Replace("'", "''", StringComparison.Ordinal)}'");

    /// <summary>Liuyang's 2024 report on a water commitment (eleven months at Class III), as a request to send.</summary>
    public static HttpRequestMessage WaterReport(string commitmentId, string reportId) =>
        new(HttpMethod.Post, $"/api/commitments/{commitmentId}/progress")
        {
            Content = Json.Body(new
            {
                reportId,
                period = "2024",
                asOf = "2024-12-31",
                values = new[] { new { indicatorId = "months-class-iii", value = 11m } },
                narrative = "Eleven months at Class III or better.",
            }),
        };

    public static bool IsCreated(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.Created;

    private static async Task SendAsync(LedgerHost host, IEnumerable<PilotRequest> requests)
    {
        foreach (var r in requests)
        {
            var client = host.Client(r.Role, r.Government);
            await (r.Body is null ? client.PostAsync(r.Path, null) : client.PostJsonAsync(r.Path, r.Body)).Ok();
        }
    }
}
