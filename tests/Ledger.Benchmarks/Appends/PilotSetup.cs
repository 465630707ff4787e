using System.Net.Http.Headers;
using System.Net.Http.Json;

using Ledger.Api.Tests.Support;

namespace Ledger.Benchmarks.Appends;

/// <summary>
/// The slice of the pilot zone the append benchmark writes to, set up through the API with the
/// same requests as the API tests (tests/Ledger.Api.Tests/Support/PilotRequests.cs, linked here): Liuyang and Shangli under the Lu/Ping river
/// agreement, and as many active water commitments (led by Liuyang) as the clients need.
/// </summary>
public sealed class PilotSetup(HttpClient http, Func<string, string?, string> token)
{
    public const string Liuyang = PilotRequests.Liuyang;

    public async Task GovernmentsAndAgreementAsync()
    {
        foreach (var r in PilotRequests.Governments().Concat(PilotRequests.ActiveAgreement()))
            await PostAsync(r.Role, r.Government, r.Path, r.Body);
    }

    /// <summary>Registers the commitment as Liuyang and activates it as the supervisor.</summary>
    public async Task ActiveCommitmentAsync(string id)
    {
        foreach (var r in PilotRequests.ActiveCommitment(id))
            await PostAsync(r.Role, r.Government, r.Path, r.Body);
    }

    private async Task PostAsync(string role, string? government, string path, object? body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token(role, government));
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"setup POST {path} as {role}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
