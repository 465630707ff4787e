using Ledger.Infrastructure.Store;
using Marten;
using Marten.Services;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Infrastructure.Daemon;

/// <summary>What <c>Ledger:SupervisorReads</c> may say (case-insensitive).</summary>
public enum SupervisorReadChoice
{
    /// <summary>Every query goes to the primary (the default, and the only choice with one PostgreSQL).</summary>
    Primary,

    /// <summary>The supervision views are read on a standby when one is up and its views keep up with the primary's.</summary>
    PreferStandby,
}

/// <summary>
/// Where a supervisor's view query runs. With <c>Ledger:SupervisorReads=PreferStandby</c> the page is read on a
/// standby (Npgsql's <c>Target Session Attributes=prefer-standby</c> over the same hosts as the ledger's
/// connection), so the supervisors' heavy reads leave the primary to the writes. The answer still says how fresh it
/// is against the primary: the standby's view position and the page are one snapshot of the standby, and the
/// committed events above that position are counted on the primary, as for a read on the primary
/// (<see cref="ProjectionFreshness"/>). A standby whose views trail the primary's by more than
/// <c>Ledger:StandbyMaxLag</c> (its replay paused or slow), a standby that refuses the query (a recovery conflict),
/// or no standby at all: the page is read on the primary instead. <see cref="Freshness.ReadFrom"/> says which.
/// </summary>
public sealed class SupervisorReads(IDocumentStore store, ProjectionFreshness freshness, LedgerSettings settings, ILogger<SupervisorReads> log)
    : IAsyncDisposable
{
    public const string Setting = "Ledger:SupervisorReads";
    public const string MaxLagSetting = "Ledger:StandbyMaxLag";

    private readonly string _schema = store.Options.Events.DatabaseSchemaName;

    // Npgsql's multi-host source over the ledger's hosts (one host works too), asked for a standby where there is one.
    // Its own target session attribute (the nodes' primary) must go: a multi-host source is built without one and
    // handed out per target.
    private readonly NpgsqlMultiHostDataSource? _hosts = settings.SupervisorReads == SupervisorReadChoice.PreferStandby
        ? new NpgsqlDataSourceBuilder(settings.ConnectionString)
            {
                ConnectionStringBuilder = { TargetSessionAttributes = null, ApplicationName = "ledger-supervisor-reads" },
            }.BuildMultiHost()
        : null;

    private NpgsqlDataSource? Standbys => _standbys ??= _hosts?.WithTargetSession(TargetSessionAttributes.PreferStandby);
    private NpgsqlDataSource? _standbys;

    /// <summary>
    /// Reads one page with <paramref name="read"/>, on a standby where freshness allows, else on the primary's
    /// <paramref name="primary"/> session; the page reflects at least every event up to the freshness's position.
    /// </summary>
    public async Task<(T Page, Freshness Freshness)> ReadAsync<T>(IQuerySession primary, Func<IQuerySession, Task<T>> read, CancellationToken ct)
    {
        if (Standbys is not null && await FromStandbyAsync(read, ct) is { } fromStandby) return fromStandby;
        var fresh = await freshness.CheckAsync(ct);
        return (await read(primary), fresh);
    }

    private async Task<(T, Freshness)?> FromStandbyAsync<T>(Func<IQuerySession, Task<T>> read, CancellationToken ct)
    {
        try
        {
            await using var connection = await Standbys!.OpenConnectionAsync(ct);
            // The position and the page in one snapshot of the standby.
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            long position;
            await using (var command = new NpgsqlCommand(
                $"""select pg_is_in_recovery(), coalesce((select last_seq_id from "{_schema}".mt_event_progression where name = $1), 0)""", connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = ProjectionFreshness.ShardName });
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                // prefer-standby falls back to the primary when no standby is up: then read as every other query does.
                if (!reader.GetBoolean(0)) return null;
                position = reader.GetInt64(1);
            }
            var (fresh, trailing) = await freshness.CheckFromAsync(position, ct);
            if (trailing > settings.StandbyMaxLag)
            {
                log.LogDebug("The standby's views trail the primary's by {Seconds:0.###} s (more than {MaxLag}); reading on the primary",
                    trailing.TotalSeconds, settings.StandbyMaxLag);
                return null;
            }
            await using var session = store.QuerySession(SessionOptions.ForTransaction(transaction));
            return (await read(session), fresh with { ReadFrom = Freshness.Standby });
        }
        catch (NpgsqlException failed) when (!ct.IsCancellationRequested)
        {
            // No standby reachable, or the standby cancelled the query for its replay (a recovery conflict): the
            // primary answers. A primary that cannot answer either fails the request as any other read would.
            log.LogInformation("A supervisor's query could not be read on a standby ({Reason}); reading on the primary", failed.Message);
            return null;
        }
    }

    public ValueTask DisposeAsync() => _hosts?.DisposeAsync() ?? ValueTask.CompletedTask;
}
