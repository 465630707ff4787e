namespace Ledger.Cli;

/// <summary>A progress bar on a terminal; plain lines (every tenth) when output is redirected.</summary>
public sealed class Progress(string label)
{
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private int _lastDecile = -1;

    public void Report(int done, int of)
    {
        if (_terminal)
        {
            var width = 30;
            var filled = of == 0 ? width : done * width / of;
            Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{of}");
            return;
        }
        var decile = of == 0 ? 10 : done * 10 / of;
        if (decile != _lastDecile)
        {
            _lastDecile = decile;
            Console.Error.WriteLine($"{label}: {done}/{of}");
        }
    }

    public void Done()
    {
        if (_terminal) Console.Error.WriteLine();
    }
}
