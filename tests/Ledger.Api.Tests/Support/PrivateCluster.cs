using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Ledger.Api.Tests.Support;

/// <summary>
/// A PostgreSQL cluster of one test's own, in a temporary folder on a free port, so the test can stop
/// and start it without disturbing the cluster the other tests share. As root, initdb and pg_ctl run
/// as the postgres user (they refuse root), on a folder it owns, as ops/lib/postgres.sh does.
/// </summary>
public sealed class PrivateCluster : IAsyncDisposable
{
    private const string Database = "ledger_recovery";
    private readonly string _bin;
    private readonly string _dir;
    private readonly int _port;

    private readonly IReadOnlyList<string> _settings;

    private PrivateCluster(string bin, string dir, int port, IReadOnlyList<string> settings)
    {
        _bin = bin;
        _dir = dir;
        _port = port;
        _settings = settings;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private string DataDir => Path.Combine(_dir, "data");
    private string LogFile => Path.Combine(_dir, "postgres.log");

    public int Port => _port;

    /// <summary>The postmaster's process id while the server runs (the first line of postmaster.pid), else null.</summary>
    public int? PostmasterPid
    {
        get
        {
            try
            {
                return int.TryParse(File.ReadLines(Path.Combine(DataDir, "postmaster.pid")).FirstOrDefault(), out var pid) ? pid : null;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Database={Database};Username=postgres";

    /// <summary>
    /// A new cluster; <paramref name="walDirectory"/> puts its pg_wal elsewhere (an empty folder the postgres
    /// user owns, e.g. a small tmpfs), and <paramref name="settings"/> (name=value) are given to every start.
    /// </summary>
    public static async Task<PrivateCluster> CreateAsync(string? walDirectory = null, IReadOnlyList<string>? settings = null)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        if (bin is null)
            throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin (apt-get install postgresql).");

        var dir = Directory.CreateTempSubdirectory("ledger-recovery-").FullName;
        if (IsRoot) await RunAsync("chown", ["postgres:", dir]);
        var cluster = new PrivateCluster(bin, dir, FreePort(), settings ?? []);
        try
        {
            string[] wal = walDirectory is null ? [] : [$"--waldir={walDirectory}"];
            await cluster.AsOwnerAsync("initdb", ["-D", cluster.DataDir, "--auth=trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", .. wal]);
            await cluster.StartAsync();
            var admin = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Database = "postgres", Pooling = false };
            await using var connection = new NpgsqlConnection(admin.ConnectionString);
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {Database}", connection);
            await create.ExecuteNonQueryAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public Task StartAsync() => AsOwnerAsync("pg_ctl",
        ["-D", DataDir, "-l", LogFile, "-w", "-t", "60", "-o", $"-p {_port} -k {_dir} -c listen_addresses=127.0.0.1{string.Concat(_settings.Select(x => " -c " + x))}", "start"],
        // The server it starts keeps running: it must not hold the test's pipes open.
        redirect: false);

    public Task StopAsync() => AsOwnerAsync("pg_ctl", ["-D", DataDir, "-m", "fast", "-w", "-t", "60", "stop"]);

    /// <summary>A crash as PostgreSQL sees one: <c>pg_ctl stop -m immediate</c>, no checkpoint, recovery from WAL at the next start.</summary>
    public Task StopImmediatelyAsync() => AsOwnerAsync("pg_ctl", ["-D", DataDir, "-m", "immediate", "-w", "-t", "60", "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
                await StopAsync();
        }
        finally
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private Task AsOwnerAsync(string tool, string[] args, bool redirect = true) =>
        IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args], redirect, LogFile)
            : RunAsync(Path.Combine(_bin, tool), args, redirect, LogFile);

    private static async Task RunAsync(string file, string[] args, bool redirect = true, string? log = null)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = redirect, RedirectStandardError = redirect };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = redirect ? process.StandardOutput.ReadToEndAsync() : Task.FromResult("");
        var errors = redirect ? process.StandardError.ReadToEndAsync() : Task.FromResult("");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var server = log is not null && File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await output}{await errors}\n{server}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
