using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Ledger.Benchmarks.Appends;

/// <summary>
/// The slice of the pilot zone the append benchmark writes to, set up through the API as
/// tests/Ledger.Api.Tests/Support/PilotZone.cs does: Liuyang and Shangli under the Lu/Ping river
/// agreement, and as many active water commitments (led by Liuyang) as the clients need.
/// </summary>
public sealed class PilotSetup(HttpClient http, Func<string, string?, string> token)
{
    public const string Liuyang = "430181";
    public const string Shangli = "360322";
    public const string Liling = "430281";
    public const string Agreement = "xgb-2021-a01";

    public async Task GovernmentsAndAgreementAsync()
    {
        foreach (var (id, zh, en, province, prefecture, level) in new[]
                 {
                     (Liuyang, "浏阳市", "Liuyang", "Hunan", "Changsha", "CountyLevelCity"),
                     (Liling, "醴陵市", "Liling", "Hunan", "Zhuzhou", "CountyLevelCity"),
                     (Shangli, "上栗县", "Shangli", "Jiangxi", "Pingxiang", "County"),
                 })
        {
            await PostAsync("admin", null, "/api/governments", new
            {
                governmentId = id, nameZh = zh, nameEn = en, province, prefecture, level,
            });
        }

        await PostAsync("supervisor", null, "/api/agreements", new
        {
            agreementId = Agreement,
            title = "Lu/Ping river cross-border water governance",
            taskArea = "Ecology",
            parties = new[] { new { governmentId = Liuyang, role = "Lead" }, new { governmentId = Shangli, role = "Signatory" } },
            termStart = "2021-01-01",
            termEnd = "2030-12-31",
            legalBasis = new[] { "2019 Hunan–Jiangxi eco-compensation agreement for the Lu/Ping river" },
        });
        foreach (var government in new[] { Liuyang, Shangli })
            await PostAsync("government", government, $"/api/agreements/{Agreement}/signatures", new { governmentId = government, signedOn = "2021-03-01" });
        await PostAsync("supervisor", null, $"/api/agreements/{Agreement}/activation", null);
    }

    /// <summary>Registers the commitment as Liuyang and activates it as the supervisor.</summary>
    public async Task ActiveCommitmentAsync(string id)
    {
        await PostAsync("government", Liuyang, "/api/commitments", WaterCommitment(id));
        await PostAsync("supervisor", null, $"/api/commitments/{id}/activation", null);
    }

    public static object WaterCommitment(string id) => new
    {
        commitmentId = id,
        agreementId = Agreement,
        leadGovernmentId = Liuyang,
        leadDepartment = "Liuyang Ecology and Environment Bureau",
        resultType = "Outcome",
        title = "Jinyushi border section at Class III or better every month",
        description = "Each month the Jinyushi border section of the Lu/Ping river meets Class III or better.",
        deadline = "2025-12-31",
        indicators = new object[]
        {
            new
            {
                indicatorId = "months-class-iii",
                name = "Months at Class III or better",
                measure = "Count",
                unit = "months",
                direction = "Ascending",
                aggregation = "PerPeriod",
                baseline = new { value = 9, date = "2020-12-31", source = "Provincial monitoring station" },
                periods = new[] { new { period = "2024", start = "2024-01-01", end = "2024-12-31", target = 12 } },
            },
            new
            {
                indicatorId = "monthly-class",
                name = "Water quality class, latest month",
                measure = "WaterQualityClass",
                unit = "class",
                direction = "Descending",
                aggregation = "PerPeriod",
                baseline = (object?)null,
                periods = Array.Empty<object>(),
            },
        },
        milestones = new[] { new { milestoneId = "joint-monitoring-station", title = "Joint monitoring station in service", type = "Delivery", due = "2024-06-30" } },
        contributors = new[] { new { governmentId = Shangli, sharePercent = 40 } },
    };

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
