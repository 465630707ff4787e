using System.Net;
using System.Text;
using Ledger.Integrity.Checkpoints;
using Microsoft.Data.Sqlite;

namespace Ledger.Witness.Tests.Support;

/// <summary>
/// A witness's key (made by its own keygen) and a temporary folder for its key file and state; starts and
/// restarts witness processes on that state, and reads the state's tables directly to check what it recorded.
/// </summary>
public sealed class WitnessSetup : IAsyncDisposable
{
    private readonly List<WitnessProcess> _started = [];

    private WitnessSetup(string folder, string name, NoteVerifierKey verifier)
    {
        Folder = folder;
        Name = name;
        Verifier = verifier;
    }

    public string Folder { get; }

    public string Name { get; }

    public NoteVerifierKey Verifier { get; }

    public string KeyFile => Path.Combine(Folder, "witness.key");

    public string StateFolder => Path.Combine(Folder, "state");

    public static async Task<WitnessSetup> CreateAsync(string name = "witness.test/w1")
    {
        var folder = Directory.CreateTempSubdirectory("ledger-witness-").FullName;
        var (exit, output, error) = await WitnessTool.RunAsync("keygen", "--name", name, "--out", Path.Combine(folder, "witness.key"));
        if (exit != 0)
            throw new InvalidOperationException($"keygen failed ({exit}): {error}");
        return new WitnessSetup(folder, name, NoteVerifierKey.Parse(output.Trim()));
    }

    /// <summary>Starts a witness on this setup's key and state that trusts <paramref name="logs"/> (ORIGIN=VKEY each).</summary>
    public async Task<WitnessProcess> StartAsync(IEnumerable<string> logs, IDictionary<string, string>? environment = null)
    {
        var args = new List<string> { "--name", Name, "--key", KeyFile, "--state", StateFolder };
        foreach (var log in logs)
            args.AddRange(["--log", log]);
        var witness = await WitnessProcess.StartAsync(args, environment);
        lock (_started) _started.Add(witness);
        return witness;
    }

    /// <summary>Rows of a state table, read as the witness wrote them (a separate read-only connection).</summary>
    public List<Dictionary<string, object>> Rows(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(StateFolder, "witness.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
                row[reader.GetName(i)] = reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var witness in _started)
            await witness.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is no failure.
        }
    }
}

/// <summary>An add-checkpoint or monitoring answer, read whole.</summary>
public sealed record WitnessAnswer(HttpStatusCode Status, string Body, string? MediaType)
{
    public int Code => (int)Status;

    public override string ToString() => $"{Code} {MediaType}: {Body}";
}

public static class WitnessHttp
{
    public static async Task<WitnessAnswer> AddCheckpointAsync(this WitnessProcess witness, string body)
    {
        using var content = new StringContent(body, new UTF8Encoding(false), "text/plain");
        using var response = await witness.Http.PostAsync("add-checkpoint", content);
        return new WitnessAnswer(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    public static async Task<WitnessAnswer> GetAsync(this WitnessProcess witness, string path)
    {
        using var response = await witness.Http.GetAsync(path);
        return new WitnessAnswer(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>tlog-witness's monitoring path: /hex(SHA-256(origin))/checkpoint.</summary>
    public static Task<WitnessAnswer> LatestCheckpointAsync(this WitnessProcess witness, string origin) =>
        witness.GetAsync(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(origin))) + "/checkpoint");
}
