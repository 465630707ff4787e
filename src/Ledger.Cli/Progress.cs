using Spectre.Console;

namespace Ledger.Cli;

/// <summary>
/// Long work's progress on standard error: a Spectre.Console progress bar (with the count, the percentage and
/// the time left) when standard error is a terminal; otherwise plain lines, <c>label: done/of</c> whenever
/// another tenth is done, which scripts and tests read. Standard output carries only the verb's result.
/// </summary>
public static class Progress
{
    /// <summary>Runs <paramref name="work"/>, which reports how far it is with the callback it is given (done, of).</summary>
    public static async Task<T> RunAsync<T>(string label, Func<Action<int, int>, Task<T>> work)
    {
        if (Console.IsErrorRedirected)
            return await work(new Lines(label).Report);

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new CountColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(label), maxValue: 1);
                var result = await work((done, of) =>
                {
                    task.MaxValue = Math.Max(of, 1);
                    task.Value = Math.Min(done, task.MaxValue);
                });
                task.Value = task.MaxValue;
                return result;
            });
    }

    /// <inheritdoc cref="RunAsync{T}"/>
    public static Task RunAsync(string label, Func<Action<int, int>, Task> work) =>
        RunAsync(label, async report =>
        {
            await work(report);
            return true;
        });

    private sealed class Lines(string label)
    {
        private int _lastDecile = -1;

        public void Report(int done, int of)
        {
            var decile = of == 0 ? 10 : (int)((long)done * 10 / of);
            if (decile == _lastDecile) return;
            _lastDecile = decile;
            Console.Error.WriteLine($"{label}: {done}/{of}");
        }
    }

    /// <summary>done/of, as the plain lines show it.</summary>
    private sealed class CountColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"{task.Value:0}/{task.MaxValue:0}");
    }
}
