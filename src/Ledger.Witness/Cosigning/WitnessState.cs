using Microsoft.Data.Sqlite;

namespace Ledger.Witness.Cosigning;

/// <summary>
/// The witness's own state: one SQLite file (witness.db) in its state folder. Tables:
/// <c>checkpoints</c>, the latest cosigned checkpoint per origin (size, root, the note with the log's verified
/// signatures and this witness's cosignature); <c>cosigned</c>, every checkpoint it cosigned, in order;
/// <c>refused</c>, validly signed checkpoints it refused because they contradict what it cosigned — possible
/// evidence that a log forked or rolled back (tlog-witness allows recording them).
/// </summary>
internal sealed class WitnessState
{
    /// <summary>Refused submissions kept per origin: evidence, but a misbehaving log must not fill the disk.</summary>
    private const int RefusedKeptPerOrigin = 1000;

    private readonly string _connectionString;

    public WitnessState(string directory)
    {
        Directory = Path.GetFullPath(directory);
        DatabasePath = Path.Combine(Directory, "witness.db");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
    }

    public string Directory { get; }

    public string DatabasePath { get; }

    public void Initialize()
    {
        if (OperatingSystem.IsWindows())
            System.IO.Directory.CreateDirectory(Directory);
        else if (!System.IO.Directory.Exists(Directory))
            System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS checkpoints (
                origin      TEXT PRIMARY KEY,
                size        INTEGER NOT NULL CHECK (size >= 0),
                root        BLOB NOT NULL CHECK (length(root) = 32),
                note        TEXT NOT NULL,
                cosigned_at INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS cosigned (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                origin      TEXT NOT NULL,
                old_size    INTEGER NOT NULL,
                size        INTEGER NOT NULL,
                root        BLOB NOT NULL,
                cosigned_at INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS refused (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                origin      TEXT NOT NULL,
                received_at INTEGER NOT NULL,
                old_size    INTEGER NOT NULL,
                size        INTEGER NOT NULL,
                held_size   INTEGER NOT NULL,
                reason      TEXT NOT NULL,
                body        TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS refused_origin ON refused (origin, id);
            """);
    }

    /// <summary>
    /// Starts the one write transaction a submission runs in. BEGIN IMMEDIATE takes SQLite's write lock before
    /// the held checkpoint is read, so reading it, deciding and writing the new one is a single compare-and-swap:
    /// two racing submissions cannot both extend the same size, and neither can roll the other back.
    /// </summary>
    public StateTransaction BeginSubmission()
    {
        var connection = Open();
        try
        {
            return new StateTransaction(connection, connection.BeginTransaction(deferred: false));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public HeldCheckpoint? Held(string origin)
    {
        using var connection = Open();
        return StateTransaction.Read(connection, null, origin);
    }

    public IReadOnlyList<HeldCheckpoint> AllHeld()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT origin, size, root, note, cosigned_at FROM checkpoints ORDER BY origin";
        using var reader = command.ExecuteReader();
        var all = new List<HeldCheckpoint>();
        while (reader.Read())
            all.Add(StateTransaction.ReadRow(reader));
        return all;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // FULL: a commit is on disk (WAL fsynced) before the witness answers; a cosignature is only ever
            // handed out for a state that survives a crash. busy_timeout lets a second writer wait its turn.
            Execute(connection, "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static int RefusedKept => RefusedKeptPerOrigin;
}

/// <summary>One submission's write transaction (BEGIN IMMEDIATE): read the held checkpoint, then advance it or record a refusal.</summary>
internal sealed class StateTransaction(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
{
    public HeldCheckpoint? Held(string origin) => Read(connection, transaction, origin);

    /// <summary>
    /// Replaces <paramref name="held"/> (none: the first checkpoint of this origin) with the new one, on the
    /// condition that the row is still what was read — the compare of the compare-and-swap, which the write lock
    /// already guarantees; a mismatch throws rather than overwrite a state this submission did not check against.
    /// </summary>
    public void Advance(HeldCheckpoint? held, SubmittedCheckpoint checkpoint, string note, DateTimeOffset at)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = held is null
            ? "INSERT INTO checkpoints (origin, size, root, note, cosigned_at) VALUES ($origin, $size, $root, $note, $at)"
            : "UPDATE checkpoints SET size = $size, root = $root, note = $note, cosigned_at = $at WHERE origin = $origin AND size = $old AND root = $oldRoot";
        command.Parameters.AddWithValue("$origin", checkpoint.Origin);
        command.Parameters.AddWithValue("$size", checkpoint.Size);
        command.Parameters.AddWithValue("$root", checkpoint.Root);
        command.Parameters.AddWithValue("$note", note);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        if (held is not null)
        {
            command.Parameters.AddWithValue("$old", held.Size);
            command.Parameters.AddWithValue("$oldRoot", held.Root);
        }
        if (command.ExecuteNonQuery() != 1)
            throw new InvalidOperationException($"the checkpoint held for {checkpoint.Origin} changed under a submission's write lock");

        using var history = connection.CreateCommand();
        history.Transaction = transaction;
        history.CommandText = "INSERT INTO cosigned (origin, old_size, size, root, cosigned_at) VALUES ($origin, $old, $size, $root, $at)";
        history.Parameters.AddWithValue("$origin", checkpoint.Origin);
        history.Parameters.AddWithValue("$old", held?.Size ?? 0);
        history.Parameters.AddWithValue("$size", checkpoint.Size);
        history.Parameters.AddWithValue("$root", checkpoint.Root);
        history.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        history.ExecuteNonQuery();
    }

    /// <summary>Records a validly signed checkpoint that was refused, and why.</summary>
    public void Refuse(AddCheckpointRequest request, long heldSize, string reason, string body, DateTimeOffset at)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO refused (origin, received_at, old_size, size, held_size, reason, body)
            VALUES ($origin, $at, $old, $size, $held, $reason, $body);
            DELETE FROM refused WHERE origin = $origin AND id <= (SELECT max(id) FROM refused WHERE origin = $origin) - $kept;
            """;
        command.Parameters.AddWithValue("$origin", request.Checkpoint.Origin);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$old", request.OldSize);
        command.Parameters.AddWithValue("$size", request.Checkpoint.Size);
        command.Parameters.AddWithValue("$held", heldSize);
        command.Parameters.AddWithValue("$reason", reason);
        command.Parameters.AddWithValue("$body", body);
        command.Parameters.AddWithValue("$kept", WitnessState.RefusedKept);
        command.ExecuteNonQuery();
    }

    /// <summary>Commits (synchronous = FULL: durable when this returns).</summary>
    public void Commit() => transaction.Commit();

    public void Dispose()
    {
        transaction.Dispose();
        connection.Dispose();
    }

    internal static HeldCheckpoint? Read(SqliteConnection connection, SqliteTransaction? transaction, string origin)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT origin, size, root, note, cosigned_at FROM checkpoints WHERE origin = $origin";
        command.Parameters.AddWithValue("$origin", origin);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadRow(reader) : null;
    }

    internal static HeldCheckpoint ReadRow(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetInt64(1),
        (byte[])reader.GetValue(2),
        reader.GetString(3),
        DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(4)));
}
