using Ledger.Contracts;
using Ledger.Web.Localization;
using Ledger.Web.Resources;
using Microsoft.Extensions.Localization;

namespace Ledger.Web.Components.Supervising;

/// <summary>A reported value in words by its indicator's measure: Ⅲ类, 85%, 是, 12 km, or the text reported.</summary>
internal static class IndicatorWords
{
    public static string Value(Indicator? indicator, IndicatorValue value, IStringLocalizer<SupervisingText> words)
    {
        if (value.Value is not { } number) return value.Text ?? "";
        return indicator?.Measure switch
        {
            Measure.WaterQualityClass => ConsoleFormat.WaterClass(number),
            Measure.Percent => ConsoleFormat.Number(number) + "%",
            Measure.Boolean => number != 0 ? words["Value.Yes"] : words["Value.No"],
            Measure.Count when !string.IsNullOrWhiteSpace(indicator.Unit) => $"{ConsoleFormat.Number(number)} {indicator.Unit}",
            _ => ConsoleFormat.Number(number),
        };
    }
}
