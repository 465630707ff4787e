namespace Ledger.Api.Tests.Support;

/// <summary>One request of the pilot-zone slice: who sends it (a role, and a government for that role) and what.</summary>
public sealed record PilotRequest(string Role, string? Government, string Path, object? Body);

/// <summary>
/// The requests that set up a small slice of the Hunan–Jiangxi pilot zone: Liuyang (Hunan) and
/// Shangli (Jiangxi) under the Lu/Ping river agreement, and the monthly water-quality commitment
/// Liuyang leads and Shangli contributes to. Host-agnostic: the API tests and the benchmark harness
/// (which links this file) send them through their own clients.
/// </summary>
public static class PilotRequests
{
    public const string Liuyang = "430181";
    public const string Shangli = "360322";
    public const string Liling = "430281";
    public const string Agreement = "xgb-2021-a01";
    public const string Commitment = "a01-water-class-iii";

    public static IEnumerable<PilotRequest> Governments()
    {
        foreach (var (id, zh, en, province, prefecture, level) in new[]
                 {
                     (Liuyang, "浏阳市", "Liuyang", "Hunan", "Changsha", "CountyLevelCity"),
                     (Liling, "醴陵市", "Liling", "Hunan", "Zhuzhou", "CountyLevelCity"),
                     (Shangli, "上栗县", "Shangli", "Jiangxi", "Pingxiang", "County"),
                 })
        {
            yield return new PilotRequest("admin", null, "/api/governments",
                new { governmentId = id, nameZh = zh, nameEn = en, province, prefecture, level });
        }
    }

    /// <summary>Drafted by the supervisor, signed by both parties, activated.</summary>
    public static IEnumerable<PilotRequest> ActiveAgreement()
    {
        yield return new PilotRequest("supervisor", null, "/api/agreements", new
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
            yield return new PilotRequest("government", government, $"/api/agreements/{Agreement}/signatures", new { governmentId = government, signedOn = "2021-03-01" });
        yield return new PilotRequest("supervisor", null, $"/api/agreements/{Agreement}/activation", null);
    }

    /// <summary>Registered by Liuyang, activated by the supervisor.</summary>
    public static IEnumerable<PilotRequest> ActiveCommitment(string id = Commitment)
    {
        yield return new PilotRequest("government", Liuyang, "/api/commitments", WaterCommitment(id));
        yield return new PilotRequest("supervisor", null, $"/api/commitments/{id}/activation", null);
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

    /// <summary>An evidence attachment for the water commitment's monitoring station, issued on the given day.</summary>
    public static object Evidence(string evidenceId, string issuedOn = "2024-06-20") => new
    {
        evidenceId,
        documentType = "InspectionReport",
        title = "Acceptance of the Jinyushi joint monitoring station",
        sha256 = new string('b', 64),
        storageUri = $"https://evidence.example.org/pilot/{evidenceId}.pdf",
        issuer = "Liuyang Ecology and Environment Bureau",
        issuedOn,
        confidentiality = "Public",
    };
}
