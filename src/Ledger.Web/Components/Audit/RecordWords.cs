using System.Globalization;
using System.Text.Json;
using Ledger.Contracts;
using Ledger.Projections;
using Ledger.Web.Localization;
using Ledger.Web.Resources;
using Microsoft.Extensions.Localization;

namespace Ledger.Web.Components.Audit;

/// <summary>
/// A commitment record's fields and values in words: the keys of <see cref="CommitmentRecord.History"/>
/// ("status", "milestones.{id}.due", "indicators.{id}.actual.{period}", …) become a label naming the
/// milestone, indicator or order they belong to, and each value is written as an official reads it
/// (推进中, 2024年6月30日, Ⅲ类, 95%), never as the stored code.
/// </summary>
public sealed class RecordWords(
    IStringLocalizer<AuditText> text, IStringLocalizer<SharedText> shared, IReadOnlyDictionary<string, GovernmentView> governments, CommitmentRecord record)
{
    public string Government(string? id) =>
        id is null ? "" : governments.TryGetValue(id, out var g) ? GovernmentNames.Name(g) : id;

    /// <summary>What a field is, e.g. 时间节点「可研批复」计划日期.</summary>
    public string Field(string field)
    {
        var parts = field.Split('.');
        return parts switch
        {
            ["status"] => text["Field.status"],
            ["leadGovernmentId"] => text["Field.leadGovernmentId"],
            ["leadDepartment"] => text["Field.leadDepartment"],
            ["title"] => text["Field.title"],
            ["description"] => text["Field.description"],
            ["deadline"] => text["Field.deadline"],
            ["completion"] => text["Field.completion"],
            ["confidence"] => text["Field.confidence"],
            ["risk"] => text["Field.risk"],
            ["contributors", var g, "sharePercent"] => text["Field.contributorShare", Government(g)],
            ["milestones", var m, "status"] => text["Field.milestoneStatus", Milestone(m)],
            ["milestones", var m, "due"] => text["Field.milestoneDue", Milestone(m)],
            ["claims", var c, "state"] => text["Field.claimState", c],
            ["rectifications", var r, "status"] => text["Field.rectificationStatus", r],
            ["rectifications", var r, "dueOn"] => text["Field.rectificationDue", r],
            ["escalations", var e, "state"] => text["Field.escalationState", e],
            ["escalations", var e, "decisionReference"] => text["Field.escalationDecision", e],
            ["indicators", var i, "actual", .. var period] => text["Field.indicatorActual", Indicator(i)?.Name ?? i, ConsoleFormat.Period(string.Join('.', period))],
            _ => text["Field.other"],
        };
    }

    /// <summary>A field's value in words; an empty value (the field had none yet) is a dash.</summary>
    public string Value(string field, JsonElement? value)
    {
        if (value is not { } v || v.ValueKind == JsonValueKind.Null) return "—";
        var parts = field.Split('.');
        var raw = v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.GetRawText();
        return parts switch
        {
            ["status"] => shared[$"Enum.CommitmentStatus.{raw}"],
            ["leadGovernmentId"] => Government(raw),
            ["deadline"] or ["milestones", _, "due"] or ["rectifications", _, "dueOn"] => Day(raw),
            ["completion"] => shared[$"Enum.Completion.{raw}"],
            ["confidence"] => shared[$"Enum.DeliveryConfidence.{raw}"],
            ["risk"] => shared[$"Enum.RiskCategory.{raw}"],
            ["contributors", _, "sharePercent"] => Number(v) is { } share ? ConsoleFormat.Number(share) + "%" : raw,
            ["milestones", _, "status"] => shared[$"Enum.MilestoneStatus.{raw}"],
            ["claims", _, "state"] => text[$"ClaimState.{raw}"],
            ["rectifications", _, "status"] => shared[$"Enum.RectificationStatus.{raw}"],
            ["escalations", _, "state"] => text[$"EscalationState.{raw}"],
            ["indicators", var i, "actual", ..] => Actual(Indicator(i), v, raw),
            _ => raw,
        };
    }

    /// <summary>An indicator's value with its unit: Ⅲ类 for a water class, 95% for a percent, 是/否 for a yes-or-no.</summary>
    public string Actual(Indicator? indicator, JsonElement value, string raw)
    {
        if (Number(value) is not { } n) return raw;
        return indicator?.Measure switch
        {
            Measure.WaterQualityClass => ConsoleFormat.WaterClass(n),
            Measure.Percent => ConsoleFormat.Number(n) + "%",
            Measure.Boolean => n != 0 ? text["Yes"] : text["No"],
            _ => string.IsNullOrEmpty(indicator?.Unit) ? ConsoleFormat.Number(n) : $"{ConsoleFormat.Number(n)} {Unit(indicator.Unit)}",
        };
    }

    public string Actual(Indicator? indicator, decimal? value, string? words) =>
        value is { } n ? Actual(indicator, JsonSerializer.SerializeToElement(n), n.ToString(CultureInfo.InvariantCulture)) : words ?? "—";

    /// <summary>A unit in the page's language where the glossary names one (公里, 个, 家, 个月, 万元); otherwise as recorded.</summary>
    public string Unit(string unit)
    {
        var key = $"Unit.{unit}";
        var found = text[key];
        return found.ResourceNotFound ? unit : found.Value;
    }

    public string Milestone(string id) => record.Milestones.Find(m => m.Definition.MilestoneId == id)?.Definition.Title ?? id;

    public Indicator? Indicator(string id) => record.Indicators.Find(i => i.Definition.IndicatorId == id)?.Definition;

    public string Confidence(DeliveryConfidence? confidence) => confidence is { } c ? shared.Enum(c) : text["NotAssessed"];

    public static string Badge(DeliveryConfidence? confidence) => confidence switch
    {
        DeliveryConfidence.Green => "green",
        DeliveryConfidence.AmberGreen => "amber-green",
        DeliveryConfidence.Amber => "amber",
        DeliveryConfidence.AmberRed => "amber-red",
        DeliveryConfidence.Red => "red",
        _ => "plain",
    };

    public static string Badge(string status) => status switch
    {
        "Active" => "amber-green",
        "Fulfilled" => "green",
        "FulfilmentClaimed" => "green",
        "Suspended" or "Withdrawn" => "red",
        _ => "plain",
    };

    public static string Badge(Rag rag) => rag switch
    {
        Rag.Green => "green",
        Rag.Amber => "amber",
        Rag.Red => "red",
        _ => "plain",
    };

    private static string Day(string raw) =>
        DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? ConsoleFormat.Date(day) : raw;

    private static decimal? Number(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var n) ? n : null;
}
