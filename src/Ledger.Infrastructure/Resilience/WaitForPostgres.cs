using System.Net.Sockets;
using Ledger.Infrastructure.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly.Timeout;

namespace Ledger.Infrastructure.Resilience;

/// <summary>
/// Holds the start-up until PostgreSQL answers, so that an application started together with its
/// database (compose, a pod restart) waits for it instead of failing in Marten's schema migration.
/// </summary>
public sealed partial class WaitForPostgres(
    LedgerSettings ledger, ResilienceSettings settings, ILogger<WaitForPostgres> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var target = Describe(ledger.ConnectionString);
        var attempts = 1;
        Exception? last = null;
        var pipeline = StartupResilience.ForStartup(settings, args =>
        {
            attempts++;
            last = args.Outcome.Exception;
            LogWaiting(logger, target, attempts, args.RetryDelay, args.Outcome.Exception?.Message);
        });
        try
        {
            await pipeline.ExecuteAsync(async ct =>
            {
                await using var connection = new NpgsqlConnection(ledger.ConnectionString);
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand("select 1", connection);
                await command.ExecuteScalarAsync(ct);
            }, cancellationToken);
            await RequireSchemaOrRightToApplyAsync(cancellationToken);
        }
        catch (TimeoutRejectedException timeout)
        {
            throw new InvalidOperationException(
                $"PostgreSQL at {target} did not answer within {settings.StartupTimeout} ({attempts} attempts); " +
                $"last error: {(last ?? timeout.InnerException ?? timeout).Message}", last ?? timeout);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException)
        {
            throw new InvalidOperationException($"PostgreSQL at {target} answered with an error that waiting will not mend: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The application's role may create nothing (ops/docs/roles.md): a schema its owner never applied
    /// fails the start here, in one sentence, rather than in Marten's migration with its whole DDL.
    /// </summary>
    private async Task RequireSchemaOrRightToApplyAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            select exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
                            where n.nspname = @schema and c.relname = 'mt_events' and has_schema_privilege(n.oid, 'USAGE'))
                or exists (select 1 from pg_namespace n where n.nspname = @schema and pg_has_role(current_user, n.nspowner, 'USAGE'))
                or (not exists (select 1 from pg_namespace n where n.nspname = @schema) and has_database_privilege(current_database(), 'CREATE')),
                   current_user::text
            """, connection);
        command.Parameters.AddWithValue("schema", ledger.Schema);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        if (!reader.IsDBNull(0) && reader.GetBoolean(0)) return;
        throw new InvalidOperationException(
            $"the ledger's schema '{ledger.Schema}' at {Describe(ledger.ConnectionString)} is missing or not granted to role '{reader.GetString(1)}', which may not apply it: " +
            "run ./ops/ledger setup (as the schema's owner) first (ops/docs/roles.md)");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Host, port and database only: the connection string may carry a password.
    private static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL at {Target} is not answering; attempt {Attempt} in {Delay}: {Error}")]
    private static partial void LogWaiting(ILogger logger, string target, int attempt, TimeSpan delay, string? error);
}
