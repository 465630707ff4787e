using System.Globalization;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Identity;

namespace Ledger.Chaos;

/// <summary>
/// What `./ops/ledger cluster restore-test` asks of an API node: <c>append</c> a commitment of its own and N progress
/// reports on it, or sign a <c>checkpoint</c> now (with the witnesses' cosignatures) and keep it in a file.
/// </summary>
public sealed record RestoreClientOptions(string Verb, Uri Node, string DataDirectory, string? Stream, int Count, string? Output, string? Witness)
{
    public static RestoreClientOptions Parse(string verb, string[] args)
    {
        Uri? node = null;
        string? dataDirectory = null, stream = null, output = null, witness = null;
        var count = 20;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--node": node = new Uri(Value()); break;
                case "--data-dir": dataDirectory = Value(); break;
                case "--stream" when verb == "append": stream = Value(); break;
                case "--count" when verb == "append":
                    var text = Value();
                    count = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 100_000
                        ? n
                        : throw new ArgumentException($"--count takes a whole number from 1 to 100000, not '{text}'");
                    break;
                case "--out" when verb == "checkpoint": output = Path.GetFullPath(Value()); break;
                case "--witness" when verb == "checkpoint": witness = Value(); break;
                default:
                    throw new ArgumentException(verb == "append"
                        ? $"unknown option '{args[i]}' (append options: --node, --data-dir, --stream, --count)"
                        : $"unknown option '{args[i]}' (checkpoint options: --node, --data-dir, --out, --witness)");
            }
        }
        if (node is null || dataDirectory is null || (verb == "append" && stream is null) || (verb == "checkpoint" && output is null))
            throw new ArgumentException(verb == "append" ? "append needs --node, --data-dir and --stream" : "checkpoint needs --node, --data-dir and --out");
        return new RestoreClientOptions(verb, node, dataDirectory, stream, count, output, witness);
    }
}

public static class RestoreClient
{
    public static async Task<int> RunAsync(RestoreClientOptions options)
    {
        var tokens = new TokenIssuer(TokenSettings.From(new AuthSettings(), options.DataDirectory), TimeProvider.System);
        using var http = new HttpClient { BaseAddress = options.Node, Timeout = TimeSpan.FromSeconds(30) };
        return options.Verb == "append" ? await AppendAsync(http, tokens, options) : await CheckpointAsync(http, tokens, options);
    }

    // The slice's governments and agreement (once per ledger), a commitment of this stream's own, then the reports one
    // by one, each with its Idempotency-Key and sent again until the answer is definite.
    private static async Task<int> AppendAsync(HttpClient http, TokenIssuer tokens, RestoreClientOptions options)
    {
        foreach (var r in PilotRequests.Governments().Concat(PilotRequests.ActiveAgreement()))
            await LedgerRequests.SendAsync(http, tokens, r, alreadyDoneIsFine: true);
        foreach (var r in PilotRequests.ActiveCommitment(options.Stream!))
            await LedgerRequests.SendAsync(http, tokens, r, alreadyDoneIsFine: false);
        for (var n = 1; n <= options.Count; n++)
            await LedgerRequests.SendAsync(http, tokens, LedgerRequests.Report(options.Stream!, $"r{n:D5}", 10, "Restore test report."), alreadyDoneIsFine: false);
        // The commitment's registration and activation, and the reports.
        Console.WriteLine($"appended {options.Count + 2} events to {options.Stream}");
        return 0;
    }

    private static async Task<int> CheckpointAsync(HttpClient http, TokenIssuer tokens, RestoreClientOptions options)
    {
        var checkpoint = await LedgerRequests.SignCheckpointAsync(http, tokens);
        Directory.CreateDirectory(Path.GetDirectoryName(options.Output)!);
        await File.WriteAllTextAsync(options.Output!, checkpoint.SignedNote);
        Console.WriteLine($"checkpoint of {checkpoint.TreeSize} events, cosigned by " +
            $"{(checkpoint.Witnesses.Count == 0 ? "no witness" : string.Join(", ", checkpoint.Witnesses))}: {options.Output}");
        if (options.Witness is not null && !checkpoint.Witnesses.Contains(options.Witness))
            throw new InvalidOperationException($"the witness {options.Witness} did not cosign the checkpoint of {checkpoint.TreeSize} events");
        return 0;
    }
}
