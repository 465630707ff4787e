using Ledger.Contracts;
using Ledger.Projections;
using Ledger.Web.Localization;
using Ledger.Web.Resources;
using Marten;
using Microsoft.Extensions.Localization;

namespace Ledger.Web.Components.Supervising;

/// <summary>
/// The choices the views' filter forms offer, each in words, with "all" (an empty value) first: the
/// values are what the API's query parameters take (enum names, division codes, agreement ids).
/// </summary>
internal sealed class FilterChoices
{
    public static readonly FilterChoices None = new(null, [], [], []);

    private readonly IStringLocalizer<SharedText>? _words;

    private FilterChoices(IStringLocalizer<SharedText>? words, IReadOnlyList<(string, string)> governments,
        IReadOnlyList<(string, string)> agreements, IReadOnlyList<(string, string)> provinces)
    {
        _words = words;
        Governments = governments;
        Agreements = agreements;
        Provinces = provinces;
    }

    public IReadOnlyList<(string Value, string Text)> Governments { get; }
    public IReadOnlyList<(string Value, string Text)> Agreements { get; }
    public IReadOnlyList<(string Value, string Text)> Provinces { get; }
    public IReadOnlyList<(string Value, string Text)> TaskAreas => Of<TaskArea>();

    /// <summary>Every value of an enum in words (Enum.{Type}.{Value}).</summary>
    public IReadOnlyList<(string Value, string Text)> Of<TEnum>() where TEnum : struct, Enum =>
        _words is null ? [] : [("", _words["Common.All"]), .. Enum.GetValues<TEnum>().Select(v => (v.ToString(), _words.Enum(v)))];

    public static async Task<FilterChoices> LoadAsync(IQuerySession session, GovernmentNames names, IStringLocalizer<SharedText> words)
    {
        var all = (string.Empty, (string)words["Common.All"]);
        var governments = (await names.AllAsync()).Values
            .OrderBy(g => g.Province).ThenBy(g => g.GovernmentId, StringComparer.Ordinal)
            .Select(g => (g.GovernmentId, GovernmentNames.Name(g)));
        var agreements = (await session.Query<AgreementView>().ToListAsync()).OrderBy(a => a.AgreementId, StringComparer.Ordinal)
            .Select(a => (a.AgreementId, a.Title));
        return new FilterChoices(words, [all, .. governments], [all, .. agreements],
            [all, .. Enum.GetValues<Province>().Select(p => (p.ToString(), words.Enum(p)))]);
    }
}
