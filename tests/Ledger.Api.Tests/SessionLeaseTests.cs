using System.Diagnostics;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// The session lease: a node that keeps talking keeps its sessions (pooled ones included, while idle), and a
/// session that falls silent, as a paused node's does, is ended by PostgreSQL with its locks.
/// </summary>
public sealed class SessionLeaseTests
{
    private static readonly TimeSpan Lease = SessionLease.Shortest;

    [Fact]
    public async Task An_idle_pooled_connection_of_a_live_node_keeps_its_session_past_the_lease()
    {
        var leased = new NpgsqlConnectionStringBuilder(SessionLease.Apply(TestDatabase.ConnectionString, Lease))
        {
            ApplicationName = "lease-" + Guid.NewGuid().ToString("N")[..8],
        };
        await using var db = NpgsqlDataSource.Create(leased.ConnectionString);
        int before;
        await using (var connection = await db.OpenConnectionAsync())
            before = await BackendAsync(connection);

        // Idle in the pool for twice the lease: only the keepalive speaks for it.
        await Task.Delay(Lease * 2);

        await using (var connection = await db.OpenConnectionAsync())
            Assert.Equal(before, await BackendAsync(connection));
    }

    [Fact]
    public async Task A_silent_session_loses_its_advisory_lock_when_the_lease_runs_out()
    {
        var key = Random.Shared.NextInt64();
        // Silent: the lease's server settings without the keepalive that renews them, as a paused process sends nothing.
        var silent = new NpgsqlConnectionStringBuilder(SessionLease.Apply(TestDatabase.ConnectionString, Lease)) { KeepAlive = 0, Pooling = false };
        await using var holder = new NpgsqlConnection(silent.ConnectionString);
        await holder.OpenAsync();
        Assert.True(await TryLockAsync(holder, key));
        await using var other = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { Pooling = false }.ConnectionString);
        await other.OpenAsync();
        Assert.False(await TryLockAsync(other, key));

        var waited = Stopwatch.StartNew();
        var taken = false;
        while (!taken && waited.Elapsed < Lease * 10)
        {
            await Task.Delay(250);
            taken = await TryLockAsync(other, key);
        }

        Assert.True(taken, "the lock of a silent session was never released");
        var ended = await Assert.ThrowsAnyAsync<NpgsqlException>(() => BackendAsync(holder));
        Assert.Contains("idle-session timeout", (ended as PostgresException)?.MessageText ?? ended.InnerException?.Message ?? ended.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_API_leases_its_sessions_and_a_bad_lease_is_refused_with_the_setting_named()
    {
        var settings = LedgerSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = "Host=db;Database=ledger;Username=ledger_app",
            [SessionLease.Setting] = "00:00:30",
        }).Build());
        var app = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal("-c idle_session_timeout=30000 -c idle_in_transaction_session_timeout=30000", app.Options);
        Assert.Equal(7, app.KeepAlive);
        // The owner's connection (setup, import, rebuild) has no lease: its long statements are not a node's.
        Assert.Null(new NpgsqlConnectionStringBuilder(settings.OwnerConnectionString).Options);

        foreach (var bad in new[] { "00:00:02", "-00:00:30", "soon" })
        {
            var refused = Assert.Throws<OptionsValidationException>(() => LedgerSettings.From(new ConfigurationBuilder().AddInMemoryCollection(
                new Dictionary<string, string?> { [SessionLease.Setting] = bad }).Build()));
            Assert.StartsWith("Ledger:SessionLease ", refused.Message, StringComparison.Ordinal);
            Assert.Contains(bad, refused.Message, StringComparison.Ordinal);
        }
        Assert.Equal(7, SessionLease.KeepAliveWithin(0, TimeSpan.FromSeconds(30)));
        Assert.Equal(3, SessionLease.KeepAliveWithin(3, TimeSpan.FromSeconds(30)));
        Assert.Equal(2, SessionLease.KeepAliveWithin(15, TimeSpan.FromSeconds(10)));
    }

    private static async Task<int> BackendAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("select pg_backend_pid()", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, long key)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", key);
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
