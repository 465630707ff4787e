using System.Diagnostics;
using System.Globalization;

namespace Ledger.Chaos;

/// <summary>SIGSTOP, SIGCONT and SIGKILL for a process and, for PostgreSQL, the postmaster with every backend it forked.</summary>
public static class Signals
{
    public static Task PauseAsync(IEnumerable<int> pids) => SendAsync("-STOP", pids);

    public static Task ResumeAsync(IEnumerable<int> pids) => SendAsync("-CONT", pids);

    public static Task KillAsync(IEnumerable<int> pids) => SendAsync("-KILL", pids);

    /// <summary>The process and all its descendants, read from /proc (parent ids in each process's stat line).</summary>
    public static IReadOnlyList<int> WithDescendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
                list.Add(pid);
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }
        var all = new List<int> { root };
        for (var i = 0; i < all.Count; i++)
            if (children.TryGetValue(all[i], out var list)) all.AddRange(list);
        return all;
    }

    private static async Task SendAsync(string signal, IEnumerable<int> pids)
    {
        var start = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add(signal);
        foreach (var pid in pids) start.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        using var kill = Process.Start(start) ?? throw new InvalidOperationException("kill did not start");
        await kill.StandardError.ReadToEndAsync();
        await kill.WaitForExitAsync();
        // A backend that ended between listing and signalling makes kill exit 1: not a failure of the fault.
    }
}
