using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Identity;

namespace Ledger.Chaos;

/// <summary>A checkpoint signed on request: its size, its signed note, and the witnesses that cosigned it.</summary>
public sealed record SignedCheckpoint(long TreeSize, string SignedNote, IReadOnlyList<string> Witnesses);

/// <summary>
/// The requests the cluster's harnesses (failover, standby reads, restore) send an API node outside their measured load:
/// the pilot slice's setup and single appends, each with one Idempotency-Key sent again until the answer is definite,
/// and a checkpoint signed now.
/// </summary>
public static class LedgerRequests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Sends <paramref name="r"/> until its answer is definite. A ledger the harness ran on before has the slice's governments
    /// and agreement already: with <paramref name="alreadyDoneIsFine"/> their 409 or 422 is an answer too.
    /// </summary>
    public static async Task SendAsync(HttpClient http, TokenIssuer tokens, PilotRequest r, bool alreadyDoneIsFine)
    {
        var key = Guid.NewGuid().ToString();
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, r.Path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Issue(r.Role, r.Government, TimeSpan.FromMinutes(10)));
            request.Headers.Add("Idempotency-Key", key);
            if (r.Body is not null) request.Content = JsonContent.Create(r.Body);
            try
            {
                using var response = await http.SendAsync(request);
                if (response.IsSuccessStatusCode || (alreadyDoneIsFine && (int)response.StatusCode is 409 or 422)) return;
                if ((int)response.StatusCode is >= 400 and < 500 and not 408 and not 429 || DateTime.UtcNow > until)
                    throw new InvalidOperationException($"POST {r.Path} as {r.Role}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && DateTime.UtcNow < until)
            {
                // The outcome is unknown: the same key and body again.
            }
            await Task.Delay(200);
        }
    }

    /// <summary>One progress report of Liuyang's on <paramref name="commitment"/>.</summary>
    public static PilotRequest Report(string commitment, string reportId, int value, string narrative) =>
        new("government", PilotRequests.Liuyang, $"/api/commitments/{commitment}/progress", new
        {
            reportId,
            period = "2024",
            asOf = "2024-06-30",
            values = new[] { new { indicatorId = "months-class-iii", value, text = (string?)null } },
            narrative,
        });

    /// <summary>Signs a checkpoint now (POST /api/integrity/checkpoints brings the log up to date first and asks the witnesses).</summary>
    public static async Task<SignedCheckpoint> SignCheckpointAsync(HttpClient http, TokenIssuer tokens)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/integrity/checkpoints");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Issue("auditor", null, TimeSpan.FromMinutes(10)));
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST /api/integrity/checkpoints: {(int)response.StatusCode} {text}");
        var checkpoint = JsonNode.Parse(text)!;
        return new SignedCheckpoint((long)checkpoint["treeSize"]!, (string)checkpoint["signedNote"]!,
            [.. (checkpoint["witnesses"]?.AsArray() ?? []).Select(w => (string)w!)]);
    }
}
