using Ledger.Contracts;
using Ledger.Web.Localization;
using Ledger.Web.Resources;
using Microsoft.Extensions.Localization;

namespace Ledger.Web.Components.Commitments;

/// <summary>
/// How the commitment page writes values and states in words: an indicator's value with its unit
/// (12个月, Ⅱ类, 是), a claim's state, a colour's badge class. The stored codes never reach the page.
/// </summary>
public sealed class CommitmentWords(IStringLocalizer<CommitmentText> l, IStringLocalizer<SharedText> t)
{
    public IStringLocalizer<CommitmentText> L => l;
    public IStringLocalizer<SharedText> T => t;

    /// <summary>A unit in the page's language: the scenario's units have words of their own; any other unit is shown as written.</summary>
    public string Unit(string unit)
    {
        var word = l["Unit." + unit];
        return word.ResourceNotFound ? unit : word.Value;
    }

    /// <summary>An actual or target value in words, as its measure reads: Ⅱ类, 是/否, 45%, 12个月.</summary>
    public string Value(Indicator indicator, decimal? value, string? text = null)
    {
        if (indicator.Measure == Measure.Qualitative || value is null) return string.IsNullOrWhiteSpace(text) ? l["Value.None"] : text;
        return indicator.Measure switch
        {
            Measure.WaterQualityClass => ConsoleFormat.WaterClass(value.Value),
            Measure.Boolean => value.Value != 0 ? l["Value.Yes"] : l["Value.No"],
            Measure.Percent => ConsoleFormat.Number(value.Value) + "%",
            _ => l["Value.WithUnit", ConsoleFormat.Number(value.Value), Unit(indicator.Unit)],
        };
    }

    /// <summary>What the unit column says: the measure for classes, yes/no and text; the unit in words otherwise.</summary>
    public string UnitOrMeasure(Indicator indicator) => indicator.Measure switch
    {
        Measure.Count or Measure.Percent => Unit(indicator.Unit),
        _ => t.Enum(indicator.Measure),
    };

    public string Status(string status) => t[$"Enum.CommitmentStatus.{status}"];

    public string RectificationStatus(string status) => t[$"Enum.RectificationStatus.{status}"];

    /// <summary>A claim is open, withdrawn, or closed by a verdict (the record keeps the verdict's name in camel case).</summary>
    public string ClaimState(string state) => state switch
    {
        "open" => l["Claim.Open"],
        "withdrawn" => l["Claim.Withdrawn"],
        _ => Enum.TryParse<Verdict>(state, ignoreCase: true, out var verdict) ? t.Enum(verdict) : l["Claim.Closed"],
    };

    public static string ClaimBadge(string state) => state switch
    {
        "verified" => "green",
        "partiallyVerified" => "amber",
        "rejected" => "red",
        "needsMoreEvidence" => "amber-red",
        _ => "plain",
    };

    public static string ConfidenceBadge(DeliveryConfidence confidence) => confidence switch
    {
        DeliveryConfidence.Green => "green",
        DeliveryConfidence.AmberGreen => "amber-green",
        DeliveryConfidence.Amber => "amber",
        DeliveryConfidence.AmberRed => "amber-red",
        _ => "red",
    };

    public static string RagBadge(Rag rag) => rag switch
    {
        Rag.Green => "green",
        Rag.Amber => "amber",
        Rag.Red => "red",
        _ => "plain",
    };

    public static string MilestoneBadge(MilestoneStatus status) => status switch
    {
        MilestoneStatus.Met => "green",
        MilestoneStatus.PartiallyMet => "amber",
        MilestoneStatus.NotMet => "red",
        _ => "plain",
    };

    public static string RectificationBadge(string status) => status switch
    {
        "Accepted" => "green",
        "Responded" => "amber-green",
        "Rejected" => "red",
        _ => "amber",
    };

    /// <summary>An envelope's role in words; the clock's own appends are the ledger's clock.</summary>
    public string Role(string? role) => role switch
    {
        null or "" => l["Actor.Unknown"],
        "system" => l["Actor.System"],
        _ => t.Role(role),
    };
}
