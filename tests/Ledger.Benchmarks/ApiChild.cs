using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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

    private ApiChild(Process process, DirectoryInfo dataDir, Uri address, TokenIssuer tokens)
    {
        _process = process;
        _dataDir = dataDir;
        Address = address;
        Tokens = tokens;
    }

    public Uri Address { get; }

    /// <summary>Issues bearer tokens the child accepts.</summary>
    public TokenIssuer Tokens { get; }

    /// <summary>The child's peak resident set size so far, in MB.</summary>
    public double PeakRssMb => (CliChild.VmHwmKb(_process.Id) ?? 0) / 1024.0;

    public static async Task<ApiChild> StartAsync(string connectionString, string schema, params string[] settings)
    {
        var dll = VerifyChild.BuiltDll("Ledger.Api", "Ledger.Api.dll")
            ?? throw new InvalidOperationException("src/Ledger.Api is not built in this configuration; build the solution first");
        var key = RandomNumberGenerator.GetBytes(32);
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var dataDir = Directory.CreateTempSubdirectory("ledger-bench-api-");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            dll, $"--urls={address}", $"--ConnectionStrings:Ledger={connectionString}", $"--Ledger:Schema={schema}",
            $"--Auth:SigningKey={Convert.ToBase64String(key)}", "--Logging:LogLevel:Default=Warning", .. settings,
        ];
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["LEDGER_DATA_DIR"] = dataDir.FullName;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the API");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var tokens = new TokenIssuer(new TokenSettings(TokenSettings.DefaultIssuer, TokenSettings.DefaultAudience, null, null, key), TimeProvider.System);
        var child = new ApiChild(process, dataDir, address, tokens);
        using var probe = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                await child.DisposeAsync();
                lock (output) throw new InvalidOperationException($"the API exited with {process.ExitCode} while starting: {output.ToString().Trim()}");
            }
            try
            {
                if ((await probe.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK) return child;
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

    // A port the system has just handed out; the child binds it a moment later.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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
