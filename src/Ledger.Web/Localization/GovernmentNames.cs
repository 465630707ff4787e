using Ledger.Projections;
using Marten;

namespace Ledger.Web.Localization;

/// <summary>The zone's governments by division code, named in the page's language; read once per request.</summary>
public sealed class GovernmentNames(IQuerySession session)
{
    private IReadOnlyDictionary<string, GovernmentView>? _all;

    public async Task<IReadOnlyDictionary<string, GovernmentView>> AllAsync(CancellationToken ct = default) =>
        _all ??= (await session.Query<GovernmentView>().ToListAsync(ct)).ToDictionary(g => g.GovernmentId);

    public async Task<string> NameAsync(string governmentId, CancellationToken ct = default) =>
        (await AllAsync(ct)).TryGetValue(governmentId, out var g) ? Name(g) : governmentId;

    public static string Name(GovernmentView government) =>
        ConsoleCultures.Current.IsChinese ? government.NameZh : government.NameEn;
}
