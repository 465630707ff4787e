using Npgsql;

namespace Ledger.Infrastructure.Resilience;

/// <summary>
/// A read on a data source of the ledger's own (the Merkle log's), tried once more when the connection
/// the pool handed out was dead. After PostgreSQL restarts, every idle pooled connection points at a
/// server process that is gone, and Npgsql finds out only on first use; the pool is cleared then, so
/// the second try opens a fresh connection instead of the next dead one. A read changes nothing, so
/// trying it again is safe; writes keep their own retries (the write path's).
/// </summary>
public static class PooledReads
{
    public static async Task<T> ReadAsync<T>(this NpgsqlDataSource db, Func<NpgsqlConnection, Task<T>> read, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(ct);
                return await read(connection);
            }
            catch (NpgsqlException ex) when (attempt == 1 && ex.IsTransient && !ct.IsCancellationRequested)
            {
                db.Clear();
            }
        }
    }
}
