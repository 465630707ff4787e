using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ledger.Cli.Scenario;

/// <summary>One step as loaded: its place in the file, the step as written, and the step moved to the load day.</summary>
public sealed record LaidOutStep(int Index, ScenarioStep Written, ScenarioStep Step);

/// <summary>
/// A scenario laid out for the day a ledger is first loaded, so that a newcomer meets a zone that is
/// running today rather than one that stopped when the file was written.
///
/// Every date moves by the same whole number of years: the one that brings the load day into the
/// twelve months the file is written for. Whole years keep what the dates mean: an annual period
/// still runs from January to December, a quarter is still a quarter, an evaluation cycle still a
/// calendar year, and the weekday a deadline falls on matters to no rule. A shift by months would
/// turn the year 2024 into April 2024 to March 2025. What whole years cannot do, putting the last
/// monthly report on last month, the file does: its last twelve months hold the zone's routine, and
/// a load takes only the steps dated before its load day.
///
/// Everything that names a year moves with it: step times, dates, periods (2024, 2024-Q2, 2024-06),
/// cycle ids, and years inside ids and prose (xgb-2021-a01, "completed on 2024-06-15"), in bodies and
/// paths alike, so that a report named y-2024 still reports on 2024. Years before 2010 stay as
/// written (the GB 3838-2002 standard). A date that has no counterpart (29 February) becomes the
/// 28th, as <see cref="DateOnly.AddYears"/> does.
/// </summary>
public sealed partial record ScenarioLayout(DateOnly LoadDay, int Years, IReadOnlyList<LaidOutStep> Steps)
{
    /// <summary>The pilot zone keeps China Standard Time: a load day and a step's date are dates at UTC+8.</summary>
    public static readonly TimeSpan ZoneOffset = TimeSpan.FromHours(8);

    public static DateTimeOffset ZoneStart(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), ZoneOffset);

    public static DateOnly ZoneDate(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(ZoneOffset).DateTime);

    /// <summary>The first instant of the load day in the zone: where the loader's last clock pass looks.</summary>
    public DateTimeOffset LoadDayStart => ZoneStart(LoadDay);

    internal static ScenarioLayout For(ScenarioFile file, DateOnly loadDay)
    {
        var years = loadDay.Year - file.LoadYearFrom.Year;
        if (file.LoadYearFrom.AddYears(years) > loadDay) years--;
        var steps = new List<LaidOutStep>();
        for (var i = 0; i < file.Steps.Count; i++)
        {
            var step = Move(file.Steps[i], years);
            if (ZoneDate(step.At) >= loadDay) break;
            steps.Add(new LaidOutStep(i, file.Steps[i], step));
        }
        return new ScenarioLayout(loadDay, years, steps);
    }

    private static ScenarioStep Move(ScenarioStep step, int years) =>
        years == 0 ? step : step with
        {
            At = step.At.AddYears(years),
            Post = MoveText(step.Post, years),
            Body = step.Body is null ? null : (JsonObject)MoveNode(step.Body, years)!,
        };

    private static JsonNode? MoveNode(JsonNode? node, int years) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, MoveNode(p.Value, years)))),
        JsonArray a => new JsonArray([.. a.Select(x => MoveNode(x, years))]),
        JsonValue v when v.TryGetValue<string>(out var text) => JsonValue.Create(MoveText(text, years)),
        _ => node?.DeepClone(),
    };

    /// <summary>Moves every year from 2010 on in the text, with the month and day of a full date kept where the year has them.</summary>
    public static string MoveText(string text, int years) =>
        years == 0 ? text : YearPattern().Replace(text, m =>
        {
            var year = int.Parse(m.Groups["year"].ValueSpan, CultureInfo.InvariantCulture) + years;
            if (m.Groups["day"].Success
                && DateOnly.TryParseExact(m.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                return date.AddYears(years).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            return year.ToString("D4", CultureInfo.InvariantCulture) + m.Value[4..];
        });

    // A year stands alone: not inside a longer number or word (a division code, a file digest), but
    // it may open a date, a period (2024-Q2, 2024-06), an id's part (y-2024) or a date-time (…T09:00).
    [GeneratedRegex(@"(?<![0-9A-Za-z])(?<year>20[1-9][0-9])(?<day>-[01][0-9]-[0-3][0-9])?(?=$|[^0-9A-Za-z]|T[0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex YearPattern();
}
