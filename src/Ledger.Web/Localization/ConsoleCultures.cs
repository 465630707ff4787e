using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Localization;

namespace Ledger.Web.Localization;

/// <summary>
/// The console's two languages. Chinese is first: with no language cookie, Accept-Language chooses
/// between Chinese and English, and Chinese wins when it names neither.
/// </summary>
public sealed record ConsoleCulture(string Name, string HtmlLang, string Label)
{
    public bool IsChinese => Name == ConsoleCultures.Chinese.Name;
}

public static class ConsoleCultures
{
    public static readonly ConsoleCulture Chinese = new("zh", "zh-CN", "中文");
    public static readonly ConsoleCulture English = new("en", "en", "English");
    public static readonly IReadOnlyList<ConsoleCulture> All = [Chinese, English];

    /// <summary>The cookie the language switch sets (ASP.NET Core's own, read by its cookie provider).</summary>
    public static readonly string CookieName = CookieRequestCultureProvider.DefaultCookieName;

    public static ConsoleCulture Current =>
        CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en" || CultureInfo.CurrentUICulture.Name.StartsWith("en", StringComparison.Ordinal)
            ? English
            : Chinese;

    public static ConsoleCulture? Find(string? name) => All.FirstOrDefault(c => c.Name == name);

    // The host runs with invariant globalization (no ICU data): cultures are names for resource lookup,
    // and dates and numbers are written by ConsoleFormat, the same on every machine.
    public static void Configure(RequestLocalizationOptions options)
    {
        var cultures = All.Select(c => CultureInfo.GetCultureInfo(c.Name, predefinedOnly: false)).ToList();
        options.DefaultRequestCulture = new RequestCulture(cultures[0]);
        options.SupportedCultures = cultures;
        options.SupportedUICultures = cultures;
        options.FallBackToParentCultures = true;
        options.FallBackToParentUICultures = true;
        options.RequestCultureProviders =
        [
            new CookieRequestCultureProvider(),
            new AcceptLanguageHeaderRequestCultureProvider { MaximumAcceptLanguageHeaderValuesToTry = 5 },
        ];
    }
}
