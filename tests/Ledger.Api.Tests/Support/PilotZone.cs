using System.Net;

namespace Ledger.Api.Tests.Support;

/// <summary>
/// A small slice of the Hunan–Jiangxi pilot zone, set up through the API as users would: Liuyang
/// (Hunan) and Shangli (Jiangxi) under the Lu/Ping river agreement, with the monthly water-quality
/// commitment that Liuyang leads and Shangli contributes to.
/// </summary>
public static class PilotZone
{
    public const string Liuyang = "430181";
    public const string Shangli = "360322";
    public const string Liling = "430281";
    public const string Agreement = "xgb-2021-a01";
    public const string Commitment = "a01-water-class-iii";

    public static async Task<HttpResponseMessage> Ok(this Task<HttpResponseMessage> call)
    {
        var response = await call;
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    public static async Task RegisterGovernmentsAsync(LedgerHost host)
    {
        var admin = host.Client("admin");
        foreach (var (id, zh, en, province, prefecture, level) in new[]
                 {
                     (Liuyang, "浏阳市", "Liuyang", "Hunan", "Changsha", "CountyLevelCity"),
                     (Liling, "醴陵市", "Liling", "Hunan", "Zhuzhou", "CountyLevelCity"),
                     (Shangli, "上栗县", "Shangli", "Jiangxi", "Pingxiang", "County"),
                 })
        {
            await admin.PostJsonAsync("/api/governments", new
            {
                governmentId = id, nameZh = zh, nameEn = en, province, prefecture, level,
            }).Ok();
        }
    }

    public static async Task ActivateAgreementAsync(LedgerHost host)
    {
        var supervisor = host.Client("supervisor");
        await supervisor.PostJsonAsync("/api/agreements", new
        {
            agreementId = Agreement,
            title = "Lu/Ping river cross-border water governance",
            taskArea = "Ecology",
            parties = new[] { new { governmentId = Liuyang, role = "Lead" }, new { governmentId = Shangli, role = "Signatory" } },
            termStart = "2021-01-01",
            termEnd = "2030-12-31",
            legalBasis = new[] { "2019 Hunan–Jiangxi eco-compensation agreement for the Lu/Ping river" },
        }).Ok();
        foreach (var government in new[] { Liuyang, Shangli })
            await host.Client("government", government).PostJsonAsync($"/api/agreements/{Agreement}/signatures", new { governmentId = government, signedOn = "2021-03-01" }).Ok();
        await supervisor.PostAsync($"/api/agreements/{Agreement}/activation", null).Ok();
    }

    public static object WaterCommitment(string id = Commitment) => new
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

    /// <summary>Governments, the active agreement and the active water commitment.</summary>
    public static async Task ActiveCommitmentAsync(LedgerHost host, string id = Commitment)
    {
        await host.Client("government", Liuyang).PostJsonAsync("/api/commitments", WaterCommitment(id)).Ok();
        await host.Client("supervisor").PostAsync($"/api/commitments/{id}/activation", null).Ok();
    }

    public static async Task<long> StreamLengthAsync(LedgerHost host, string streamKey) =>
        await TestDatabase.ScalarAsync<long>($"select count(*) from \"{host.Schema}\".mt_events where stream_id = '{streamKey.Replace("'", "''", StringComparison.Ordinal)}'");

    public static bool IsCreated(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.Created;
}
