using System.Text.RegularExpressions;
using Ledger.Integrity.Checkpoints;
using Ledger.Witness.Cosigning;
using Ledger.Witness.Keys;
using Ledger.Witness.Monitoring;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Ledger.Witness.Serving;

/// <summary>What <c>witness serve</c> was given on its command line.</summary>
internal sealed record ServeOptions(string Name, string KeyFile, IReadOnlyList<string> Logs, string Listen, string? StateDirectory);

/// <summary>Starts the witness's HTTP service (ASP.NET Core, Kestrel) and runs it until it is stopped.</summary>
internal static partial class WitnessServer
{
    public static async Task<int> RunAsync(ServeOptions options, CancellationToken ct)
    {
        if (!SignedNote.IsValidKeyName(options.Name))
            throw new WitnessFailure($"--name '{options.Name}' is not a key name (non-empty, no white space, control characters or '+')", 2);
        var logs = new TrustedLogs();
        foreach (var spec in options.Logs)
            logs.Add(spec);
        if (!logs.Origins.Any())
            throw new WitnessFailure("give at least one --log ORIGIN=VKEY: a witness witnesses the logs it is told to trust", 2);
        var url = ListenUrl(options.Listen);
        var fault = WitnessFault.FromEnvironment();
        using var cosigner = WitnessKeyFile.Load(options.KeyFile, options.Name);
        var state = new WitnessState(options.StateDirectory ?? DefaultStateDirectory(options.Name));
        try
        {
            state.Initialize();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new WitnessFailure($"cannot open the state in {state.Directory}: {e.Message}", 1);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ ";
        });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton(logs);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(cosigner);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(fault);
        builder.Services.AddSingleton<CheckpointWitness>();

        await using var app = builder.Build();
        app.MapCosigningEndpoints();
        app.MapMonitoringEndpoints();
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            // Kestrel's AddressInUseException is an IOException; so is a host name it cannot bind.
            throw new WitnessFailure($"cannot listen on {options.Listen}: {e.Message}", 1);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? url;
        var trusted = string.Join(", ", logs.Origins.Select(origin =>
            $"{origin} ({string.Join(" ", logs.KeysOf(origin).Select(k => k.Name + "+" + k.KeyIdHex))})"));
        Console.WriteLine($"witness {cosigner.Name} {cosigner.Verifier} listening on {address}; trusts {trusted}; state in {state.Directory}"
            + (fault.Enabled ? $"; FAULT {WitnessFault.ExitAfterPersist} is on" : ""));
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(options.KeyFile) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
            Console.Error.WriteLine($"witness: the key file {Path.GetFullPath(options.KeyFile)} is readable by others: chmod 600 it");

        await app.WaitForShutdownAsync(ct);
        return 0;
    }

    /// <summary>--listen takes host:port (127.0.0.1:7380, [::1]:7380, 0.0.0.0:7380) or an http:// URL; port 0 picks a free one.</summary>
    private static string ListenUrl(string listen)
    {
        var url = listen.Contains("://", StringComparison.Ordinal) ? listen : "http://" + listen;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/"
            || !HostPort().IsMatch(url))
        {
            throw new WitnessFailure($"--listen '{listen}' is not host:port (e.g. 127.0.0.1:7380); TLS belongs to a proxy in front of the witness", 2);
        }
        return url.TrimEnd('/');
    }

    [GeneratedRegex(@"^http://(\[[0-9a-fA-F:.]+\]|[^\s/:\[\]]+):\d{1,5}/?$")]
    private static partial Regex HostPort();

    /// <summary>
    /// Without --state: the ledger's data folder when run through ./ops/ledger (LEDGER_DATA_DIR), else the user's
    /// state folder (XDG_STATE_HOME, ~/.local/state); one folder per witness name.
    /// </summary>
    internal static string DefaultStateDirectory(string name)
    {
        var folder = Regex.Replace(name, "[^A-Za-z0-9._-]", "_");
        var data = Environment.GetEnvironmentVariable("LEDGER_DATA_DIR");
        if (!string.IsNullOrEmpty(data))
            return Path.Combine(data, "witness", folder);
        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        var root = !string.IsNullOrEmpty(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(root, "ledger-witness", folder);
    }
}
