using Ledger.Infrastructure.Integrity;
using Ledger.Infrastructure.Store;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Ledger.Infrastructure.Zones;

/// <summary>
/// At start, before the Merkle worker signs anything: the node's zone (<c>Ledger:Zone</c>) must be its database's. A
/// database set up without a zone (an empty test schema, a ledger older than zones) records this node's zone and origin;
/// one recorded for another zone refuses the start in one line naming the setting (<see cref="ZoneIdentity"/>).
/// </summary>
public sealed class ZoneGuard(LedgerSettings settings, IntegritySettings integrity, TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = NpgsqlDataSource.Create(settings.ConnectionString);
        await ZoneIdentity.EnsureAsync(db, settings.Schema, settings.Zone, integrity.Origin, name: null, time, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
