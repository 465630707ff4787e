using System.Text.Json;
using Ledger.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Benchmarks.Appends;

/// <summary>
/// The limit: what PostgreSQL does for one committed append with nothing around it. A one-row
/// INSERT per transaction (autocommit) through Npgsql into a plain table, the event as jsonb.
/// </summary>
public sealed class LimitNpgsql(NpgsqlDataSource source, string schema) : IAppendTarget
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private string _run = "";

    public string Name => "limit";

    public static async Task<LimitNpgsql> CreateAsync(string connectionString, string schema)
    {
        var source = NpgsqlDataSource.Create(connectionString);
        await using var command = source.CreateCommand(
            $"create schema if not exists \"{schema}\"; " +
            $"create table if not exists \"{schema}\".appends (id bigserial primary key, stream text not null, version int not null, data jsonb not null)");
        await command.ExecuteNonQueryAsync();
        return new LimitNpgsql(source, schema);
    }

    public Task PrepareAsync(string run, int clients, int operationsPerClient)
    {
        _run = run;
        return Task.CompletedTask;
    }

    public async Task AppendAsync(int client, int index)
    {
        var id = StreamPlan.CommitmentId(_run, client, index);
        var data = JsonSerializer.Serialize(PeerMarten.Report(id, client, index), Json);
        await using var command = source.CreateCommand($"insert into \"{schema}\".appends (stream, version, data) values ($1, $2, $3)");
        command.Parameters.Add(new NpgsqlParameter { Value = StreamKeys.Commitment(id) });
        command.Parameters.Add(new NpgsqlParameter { Value = index % StreamPlan.ReportsPerStream + 1 });
        command.Parameters.Add(new NpgsqlParameter { Value = data, NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => source.DisposeAsync();
}
