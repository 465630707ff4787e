using System.Globalization;
using Ledger.Contracts;

namespace Ledger.Web.Components.County;

/// <summary>What a person types for an indicator, to and from the value the ledger records.</summary>
public static class IndicatorValues
{
    public static string Unit(Indicator indicator) => indicator.Measure == Measure.Percent ? "%" : indicator.Unit;

    /// <summary>The typed text as a value for <paramref name="indicator"/>, or null when it is not a number where one is needed.</summary>
    public static IndicatorValue? Parse(Indicator indicator, string raw)
    {
        if (indicator.Measure == Measure.Qualitative) return new IndicatorValue(indicator.IndicatorId, Text: raw);
        return decimal.TryParse(raw.Replace(",", "", StringComparison.Ordinal).Replace("，", "", StringComparison.Ordinal), NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
            ? new IndicatorValue(indicator.IndicatorId, Value: number)
            : null;
    }

    /// <summary>A recorded value as the form shows it again.</summary>
    public static string? Raw(IndicatorValue? value) =>
        value is null ? null : value.Text ?? value.Value?.ToString(CultureInfo.InvariantCulture);
}
