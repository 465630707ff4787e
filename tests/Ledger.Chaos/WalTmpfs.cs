using System.Diagnostics;

namespace Ledger.Chaos;

/// <summary>
/// PostgreSQL's pg_wal on a small tmpfs of its own, so that a fault can fill it. Only as root (mount needs it);
/// elsewhere <see cref="TryCreateAsync"/> says why not and the wal-full fault is left out.
/// </summary>
public sealed class WalTmpfs : IAsyncDisposable
{
    /// <summary>Room for max_wal_size (64 MB) and the segments a checkpoint keeps, with some to spare.</summary>
    private const string Size = "256m";

    private WalTmpfs(string mountPoint) => MountPoint = mountPoint;

    public string MountPoint { get; }

    private string Filler => Path.Combine(MountPoint, "filler");

    /// <summary>The cluster settings that make a full pg_wal bite at once: no recycled segments to write into.</summary>
    public static readonly string[] ClusterSettings = ["wal_recycle=off", "max_wal_size=64MB", "min_wal_size=32MB"];

    public static async Task<(WalTmpfs? Tmpfs, string? WhyNot)> TryCreateAsync()
    {
        if (Environment.UserName != "root") return (null, "pg_wal on a tmpfs needs root to mount it");
        var dir = Directory.CreateTempSubdirectory("ledger-chaos-wal-").FullName;
        var (mounted, output) = await RunAsync("mount", "-t", "tmpfs", "-o", $"size={Size},mode=0700", "tmpfs", dir);
        if (!mounted)
        {
            Directory.Delete(dir);
            return (null, $"mounting a tmpfs for pg_wal failed: {output.Trim()}");
        }
        await RunAsync("chown", "postgres:", dir);
        return (new WalTmpfs(dir), null);
    }

    /// <summary>Fills what is left of the tmpfs, as root, until the kernel says there is no space.</summary>
    public async Task FillAsync()
    {
        var chunk = new byte[1 << 20];
        try
        {
            await using var filler = new FileStream(Filler, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.None);
            while (true) await filler.WriteAsync(chunk);
        }
        catch (IOException)
        {
            // ENOSPC: full, which is the point.
        }
    }

    public void Drain()
    {
        if (File.Exists(Filler)) File.Delete(Filler);
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync("umount", "-l", MountPoint);
        try
        {
            Directory.Delete(MountPoint);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<(bool Ok, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode == 0, output);
    }
}
