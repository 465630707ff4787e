using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Ledger.Witness.Tests.Support;

/// <summary>
/// A witness running as its own process (<c>dotnet Ledger.Witness.dll serve …</c>), on a port it picks itself
/// (--listen 127.0.0.1:0) and announces in its start line. Disposing kills it.
/// </summary>
public sealed partial class WitnessProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WitnessProcess(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything it printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Starts <c>serve</c> with <paramref name="args"/> (plus --listen 127.0.0.1:0) and waits until it listens.</summary>
    public static async Task<WitnessProcess> StartAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var process = new Process { StartInfo = WitnessTool.StartInfo(["serve", .. args, "--listen", "127.0.0.1:0"], environment) };
        var witness = new WitnessProcess(process);
        process.OutputDataReceived += (_, e) => witness.Received(e.Data);
        process.ErrorDataReceived += (_, e) => witness.Received(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var exited = process.WaitForExitAsync();
            var first = await Task.WhenAny(witness._listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(45)));
            if (first != witness._listening.Task)
                throw new InvalidOperationException($"the witness did not start listening ({(process.HasExited ? $"it exited with {process.ExitCode}" : "timed out")}):\n{witness.Output}");
            witness.BaseAddress = new Uri(await witness._listening.Task);
            witness.Http = new HttpClient { BaseAddress = witness.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            return witness;
        }
        catch
        {
            await witness.DisposeAsync();
            throw;
        }
    }

    private void Received(string? line)
    {
        if (line is null)
            return;
        lock (_output) _output.AppendLine(line);
        var match = Listening().Match(line);
        if (match.Success)
            _listening.TrySetResult(match.Groups[1].Value);
    }

    [GeneratedRegex(@"^witness \S+ \S+ listening on (http://\S+);")]
    private static partial Regex Listening();

    /// <summary>kill -9: no shutdown, no flushing beyond what it committed.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
        Http?.Dispose();
        _process.Dispose();
    }
}

/// <summary>Runs the witness's command line to completion (keygen, serve with bad input).</summary>
public static class WitnessTool
{
    /// <summary>The witness built in the same configuration as these tests.</summary>
    public static string Dll { get; } = FindDll();

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        // The witness takes its state folder from --state in every test; nothing of the caller's leaks in.
        info.Environment.Remove("LEDGER_DATA_DIR");
        info.Environment.Remove("LEDGER_WITNESS_FAULT");
        info.Environment.Remove("ASPNETCORE_URLS");
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        return info;
    }

    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }

    private static string FindDll()
    {
        var configuration = typeof(WitnessTool).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln")))
            {
                var dll = Path.Combine(dir.FullName, "src", "Ledger.Witness", "bin", configuration, "net10.0", "Ledger.Witness.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the witness first ({dll})");
            }
        }
        throw new DirectoryNotFoundException("Ledger.sln not found above " + AppContext.BaseDirectory);
    }
}
