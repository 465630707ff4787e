using Ledger.Infrastructure.Daemon;
using Ledger.Infrastructure.Store;
using Ledger.Projections.Supervision;
using Marten;
using Npgsql;

namespace Ledger.Infrastructure.Zones;

/// <summary>
/// Every zone's compliance side by side, for the <c>national</c> role: this node's own zone from its own database, every
/// other zone of the master table from that zone's database (<see cref="ZoneRegistry"/>), each read from its supervision
/// views (the task-area roll-ups summed, the governments' compliance), with its log's origin and size and how fresh the
/// views and the latest checkpoint are. A zone that does not answer within <see cref="ReadTimeout"/> is shown as
/// unreachable; the others are shown as they are.
/// </summary>
public sealed class NationalOverview(LedgerSettings settings, IDocumentStore ownStore, ZoneRegistry registry, TimeProvider time)
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    public async Task<Overview> ReadAsync(CancellationToken ct)
    {
        var readAt = time.GetUtcNow();
        IReadOnlyList<ZoneRegistry.Entry> registered;
        string? registryProblem = null;
        try
        {
            using var timeout = Timeout(ct);
            registered = await registry.ListAsync(timeout.Token);
        }
        catch (Exception ex) when (Unreachable(ct))
        {
            registered = [];
            registryProblem = Describe(ex);
        }
        var own = ReadZoneAsync(settings.Zone, thisNode: true, ownStore.QuerySession, settings.ConnectionString, readAt, time, ct);
        var others = registered.Where(e => e.Zone != settings.Zone)
            .Select(e => ReadZoneAsync(e.Zone, thisNode: false, () => registry.Store.QuerySession(e.Zone), e.ConnectionString, readAt, time, ct));
        var zones = await Task.WhenAll([own, .. others]);
        return new Overview(readAt, settings.Zone, registryProblem is null ? "ok" : "unreachable", registryProblem,
            [.. zones.OrderBy(z => z.Zone, StringComparer.Ordinal)]);
    }

    private static async Task<ZoneLine> ReadZoneAsync(
        string zone, bool thisNode, Func<IQuerySession> openSession, string connectionString, DateTimeOffset readAt, TimeProvider time, CancellationToken ct)
    {
        try
        {
            using var timeout = Timeout(ct);
            var token = timeout.Token;
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(token);
            return await ReadOpenZoneAsync(zone, thisNode, openSession, connection, readAt, time, token);
        }
        catch (Exception ex) when (Unreachable(ct))
        {
            return new ZoneLine(zone, thisNode, "unreachable", Describe(ex), null, null, null, null, null, null, null, null, null);
        }
    }

    private static async Task<ZoneLine> ReadOpenZoneAsync(
        string zone, bool thisNode, Func<IQuerySession> openSession, NpgsqlConnection connection, DateTimeOffset readAt, TimeProvider time, CancellationToken ct)
    {
        await using var session = openSession();
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        if (await ZoneIdentity.ReadAsync(connection, schema, ct) is not { } recorded)
            return new ZoneLine(zone, thisNode, "no_ledger", $"no ledger recorded in schema '{schema}' there", null, null, null, null, null, null, null, null, null);
        if (recorded.Zone != zone)
            return new ZoneLine(zone, thisNode, "wrong_zone", $"the database registered for '{zone}' holds zone '{recorded.Zone}'",
                recorded.Name, recorded.Origin, null, null, null, null, null, null, null);

        var log = await LogAsync(connection, schema, ct);
        var views = await ProjectionFreshness.MeasureAsync(connection, schema, time, ct);
        var areas = await session.Query<AreaSummary>().Where(a => a.Scope == "taskArea").ToListAsync(ct);
        var governments = await session.Query<GovernmentCompliance>().OrderBy(g => g.GovernmentId).ToListAsync(ct);
        var origin = log.Note is { } note ? note[..note.IndexOf('\n', StringComparison.Ordinal)] : recorded.Origin;
        return new ZoneLine(zone, thisNode, "ok", null, recorded.Name, origin, log.TreeSize, log.CheckpointSize, log.CheckpointAt,
            log.CheckpointAt is { } at ? Math.Max(0, (readAt - at).TotalSeconds) : null,
            views,
            Totals(areas), [.. governments.Select(g => new GovernmentLine(g.GovernmentId, g.NameZh, g.NameEn, g.Province.ToString(), g.Rag.ToString(),
                g.Led, g.LedActive, g.LedGreen, g.LedAmber, g.LedRed, g.OverdueItems, g.OverdueCommitments, g.OpenRectifications))]);
    }

    private static async Task<(long TreeSize, long? CheckpointSize, DateTimeOffset? CheckpointAt, string? Note)> LogAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            select (select tree_size from "{schema}".ledger_merkle_state where id = 1),
                   c.tree_size, c.created_at, c.signed_note
              from (select 1) one
              left join lateral (select tree_size, created_at, signed_note from "{schema}".ledger_checkpoints order by tree_size desc limit 1) c on true
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.IsDBNull(0) ? 0 : reader.GetInt64(0),
            reader.IsDBNull(1) ? null : reader.GetInt64(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
            reader.IsDBNull(3) ? null : reader.GetString(3));
    }

    /// <summary>The zone's totals: each commitment is in exactly one task area, so the task areas' roll-ups add up to the zone's.</summary>
    private static ZoneCompliance Totals(IReadOnlyList<AreaSummary> areas)
    {
        int Sum(Func<AreaSummary, int> field) => areas.Sum(field);
        var due = Sum(a => a.ItemsDue);
        var weight = Sum(a => a.WeightTotal);
        return new ZoneCompliance(
            Sum(a => a.Commitments), Sum(a => a.Draft), Sum(a => a.Active), Sum(a => a.FulfilmentClaimed), Sum(a => a.Fulfilled),
            Sum(a => a.Suspended), Sum(a => a.Withdrawn), Sum(a => a.Green), Sum(a => a.Amber), Sum(a => a.Red), Sum(a => a.NotAssessed),
            Sum(a => a.OverdueItems), Sum(a => a.OverdueCommitments), Sum(a => a.OpenRectifications),
            due == 0 ? null : SupervisionRules.Ratio(Sum(a => a.ItemsOnTime), due),
            weight == 0 ? 0m : Math.Round(Sum(a => a.WeightedThirds) / (3m * weight), 4));
    }

    private static CancellationTokenSource Timeout(CancellationToken ct)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadTimeout);
        return timeout;
    }

    // Anything but the caller going away: a zone that cannot be read is shown as such, never a 500 for the whole page.
    private static bool Unreachable(CancellationToken ct) => !ct.IsCancellationRequested;

    private static string Describe(Exception ex) => ex switch
    {
        OperationCanceledException => $"no answer within {ReadTimeout.TotalSeconds:0} s",
        PostgresException pg => $"{pg.SqlState}: {pg.MessageText}",
        _ => ex.GetBaseException().Message,
    };

    public sealed record Overview(DateTimeOffset ReadAt, string ThisZone, string Registry, string? RegistryProblem, IReadOnlyList<ZoneLine> Zones);

    /// <summary>
    /// One zone: its status (<c>ok</c>, <c>unreachable</c>, <c>no_ledger</c> or <c>wrong_zone</c>, with the problem), its log's
    /// origin and size (leaves), the latest signed checkpoint's size, time and age, its views' freshness (as every view answer
    /// says it: <see cref="ProjectionFreshness"/>), its totals and governments.
    /// </summary>
    public sealed record ZoneLine(
        string Zone, bool ThisNode, string Status, string? Problem, string? Name, string? Origin, long? TreeSize, long? CheckpointSize,
        DateTimeOffset? CheckpointAt, double? CheckpointAgeSeconds, Freshness? Views, ZoneCompliance? Compliance, IReadOnlyList<GovernmentLine>? Governments);

    public sealed record ZoneCompliance(
        int Commitments, int Draft, int Active, int FulfilmentClaimed, int Fulfilled, int Suspended, int Withdrawn,
        int Green, int Amber, int Red, int NotAssessed, int OverdueItems, int OverdueCommitments, int OpenRectifications,
        decimal? OnTimeRate, decimal Progress);

    public sealed record GovernmentLine(
        string GovernmentId, string NameZh, string NameEn, string Province, string Rag, int Led, int LedActive, int LedGreen, int LedAmber, int LedRed,
        int OverdueItems, int OverdueCommitments, int OpenRectifications);
}
