using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Ledger.Benchmarks.Integrity;
using Ledger.Infrastructure.Identity;

namespace Ledger.Benchmarks;

/// <summary>
/// The API as it is deployed: src/Ledger.Api's dll (built in this harness's configuration) in a
/// process of its own on a loopback port, over a ledger schema, with a signing key of its own and only
/// warnings logged. Its peak resident set size (VmHWM) can be read while it runs, apart from the
/// clients that load it.
/// </summary>
public sealed class ApiChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _dataDir;

    private ApiChild(Process process, DirectoryInfo dataDir, TokenIssuer tokens)
    {
        _process = process;
        _dataDir = dataDir;
        Tokens = tokens;
    }

    /// <summary>Where the child listens: the port the system gave it, as its log reports.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>What the child has logged so far (warnings and above, and where it listens).</summary>
    public System.Text.StringBuilder Output { get; private init; } = new();

    /// <summary>Issues bearer tokens the child accepts.</summary>
    public TokenIssuer Tokens { get; }

    /// <summary>The child's peak resident set size so far, in MB.</summary>
    public double PeakRssMb => (CliChild.VmHwmKb(_process.Id) ?? 0) / 1024.0;

    /// <summary>The child's process id (the dotnet host runs the API in this process).</summary>
    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for the child to end by itself; false if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> ExitedWithinAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static Task<ApiChild> StartAsync(string connectionString, string schema, params string[] settings) =>
        StartAsync(connectionString, schema, new Dictionary<string, string>(), settings);

    /// <summary>Starts the API with these settings and, in its environment, these variables too.</summary>
    public static async Task<ApiChild> StartAsync(string connectionString, string schema, IReadOnlyDictionary<string, string> environment, params string[] settings)
    {
        var dll = VerifyChild.BuiltDll("Ledger.Api", "Ledger.Api.dll")
            ?? throw new InvalidOperationException("src/Ledger.Api is not built in this configuration; build the solution first");
        var key = RandomNumberGenerator.GetBytes(32);
        var dataDir = Directory.CreateTempSubdirectory("ledger-bench-api-");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            // Port 0: the child binds a port the system picks, so no other process can take it first.
            dll, "--urls=http://127.0.0.1:0", $"--ConnectionStrings:Ledger={connectionString}", $"--Ledger:Schema={schema}",
            $"--Auth:SigningKey={Convert.ToBase64String(key)}", "--Logging:LogLevel:Default=Warning",
            $"--Logging:LogLevel:{ListeningLog}=Information", .. settings,
        ];
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["LEDGER_DATA_DIR"] = dataDir.FullName;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the API");
        var output = new System.Text.StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data?.IndexOf(ListeningOn, StringComparison.Ordinal) is { } at and >= 0)
                listening.TrySetResult(new Uri(e.Data[(at + ListeningOn.Length)..].Trim()));
        };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var tokens = new TokenIssuer(new TokenSettings(TokenSettings.DefaultIssuer, TokenSettings.DefaultAudience, null, null, key), TimeProvider.System);
        var child = new ApiChild(process, dataDir, tokens) { Output = output };
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (listening.Task.IsCompletedSuccessfully && probe.BaseAddress is null)
                probe.BaseAddress = child.Address = listening.Task.Result;
            if (process.HasExited)
            {
                // The exit code before the process object is disposed: it cannot be read after.
                var exitCode = process.ExitCode;
                await child.DisposeAsync();
                lock (output) throw new InvalidOperationException($"the API exited with {exitCode} while starting: {output.ToString().Trim()}");
            }
            try
            {
                if (probe.BaseAddress is not null && (await probe.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK) return child;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (waited.Elapsed > TimeSpan.FromSeconds(90))
            {
                await child.DisposeAsync();
                throw new InvalidOperationException("the API did not answer /health/live within 90 s");
            }
            await Task.Delay(200);
        }
    }

    // ASP.NET Core's hosting log names the address it bound: "Now listening on: http://127.0.0.1:40123".
    private const string ListeningLog = "Microsoft.Hosting.Lifetime";
    private const string ListeningOn = "Now listening on:";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            _dataDir.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
