using JasperFx.Events;
using Ledger.Contracts;
using Marten.Events.Aggregation;

namespace Ledger.Projections;

/// <summary>A registered government, as the registry lists it.</summary>
public sealed record GovernmentView(
    string Id, string GovernmentId, string NameZh, string NameEn, Province Province, string Prefecture,
    GovernmentLevel Level, DateTimeOffset RegisteredAt, long Version);

public partial class GovernmentViewProjection : SingleStreamProjection<GovernmentView, string>
{
    public GovernmentView Create(IEvent<GovernmentRegistered> e) =>
        new(e.StreamKey!, e.Data.GovernmentId, e.Data.NameZh, e.Data.NameEn, e.Data.Province, e.Data.Prefecture,
            e.Data.Level, e.Timestamp, e.Version);
}
