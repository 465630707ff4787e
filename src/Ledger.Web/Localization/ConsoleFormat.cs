using System.Globalization;

namespace Ledger.Web.Localization;

/// <summary>
/// Dates, times and numbers as officials write them: 2024年6月30日 / 30 Jun 2024, 2024年6月 / Jun 2024,
/// 2024年第二季度 / Q2 2024; times in Beijing time, labelled. Written here, not by ICU, so that every
/// machine shows the same text.
/// </summary>
public static class ConsoleFormat
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] QuartersZh = ["一", "二", "三", "四"];

    /// <summary>China Standard Time has had no daylight saving since 1991.</summary>
    public static readonly TimeSpan BeijingOffset = TimeSpan.FromHours(8);

    private static bool Zh => ConsoleCultures.Current.IsChinese;

    public static string Date(DateOnly date) =>
        Zh ? $"{date.Year}年{date.Month}月{date.Day}日" : $"{date.Day} {Months[date.Month - 1]} {date.Year}";

    public static string Date(DateTimeOffset at) => Date(DateOnly.FromDateTime(at.ToOffset(BeijingOffset).DateTime));

    public static string Month(int year, int month) => Zh ? $"{year}年{month}月" : $"{Months[month - 1]} {year}";

    public static string Quarter(int year, int quarter) => Zh ? $"{year}年第{QuartersZh[quarter - 1]}季度" : $"Q{quarter} {year}";

    /// <summary>A moment in Beijing time, labelled as such.</summary>
    public static string Time(DateTimeOffset at)
    {
        var local = at.ToOffset(BeijingOffset);
        var clock = local.ToString("HH:mm", CultureInfo.InvariantCulture);
        return Zh ? $"{Date(local)} {clock}（北京时间）" : $"{Date(local)} {clock} (Beijing time)";
    }

    /// <summary>
    /// A period key as the ledger stores it (2024, 2024-Q2, 2024-06, 2024-H1) in words; anything
    /// else is shown as it is.
    /// </summary>
    public static string Period(string period)
    {
        var parts = period.Split('-');
        if (parts.Length == 1 && int.TryParse(parts[0], out var y)) return Zh ? $"{y}年" : $"{y}";
        if (parts.Length != 2 || !int.TryParse(parts[0], out var year)) return period;
        var rest = parts[1];
        if (rest.Length == 2 && rest[0] == 'Q' && rest[1] is >= '1' and <= '4') return Quarter(year, rest[1] - '0');
        if (rest.Length == 2 && rest[0] == 'H' && rest[1] is '1' or '2') return Zh ? $"{year}年{(rest[1] == '1' ? "上" : "下")}半年" : $"H{rest[1]} {year}";
        if (int.TryParse(rest, out var month) && month is >= 1 and <= 12) return Month(year, month);
        return period;
    }

    public static string Number(decimal value) =>
        value == decimal.Truncate(value) ? value.ToString("#,0", CultureInfo.InvariantCulture) : value.ToString("#,0.##", CultureInfo.InvariantCulture);

    public static string Percent(decimal ratio) => (ratio * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>How long ago, in the few words a freshness line needs: 3 秒前 / 3 s ago.</summary>
    public static string Ago(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero) elapsed = TimeSpan.Zero;
        var (n, zh, en) = elapsed.TotalSeconds < 60 ? ((int)elapsed.TotalSeconds, "秒", "s")
            : elapsed.TotalMinutes < 60 ? ((int)elapsed.TotalMinutes, "分钟", "min")
            : elapsed.TotalHours < 48 ? ((int)elapsed.TotalHours, "小时", "h")
            : ((int)elapsed.TotalDays, "天", "d");
        return Zh ? $"{n} {zh}前" : $"{n} {en} ago";
    }

    private static readonly string[] Roman = ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ"];

    /// <summary>A surface-water quality class as the data holds it (1–6): Ⅱ类 / Class II; 6 is 劣Ⅴ类 / worse than Class V.</summary>
    public static string WaterClass(decimal value)
    {
        var n = (int)value;
        if (n != value || n is < 1 or > 6) return Number(value);
        if (n == 6) return Zh ? "劣Ⅴ类" : "worse than Class V";
        return Zh ? $"{Roman[n - 1]}类" : $"Class {"I II III IV V".Split(' ')[n - 1]}";
    }
}
