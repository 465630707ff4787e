using System.CommandLine;
using Ledger.Witness;
using Ledger.Witness.Keys;
using Ledger.Witness.Serving;

var root = new RootCommand("witness — cosigns the ledger's checkpoints when they extend what it cosigned before (C2SP tlog-witness)");
root.Subcommands.Add(Keygen());
root.Subcommands.Add(Serve());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // Bad usage gets one line naming the first mistake, not the help page after it.
    var verb = parsed.CommandResult.Command is RootCommand ? "" : " " + parsed.CommandResult.Command.Name;
    await Console.Error.WriteLineAsync($"witness: {parsed.Errors[0].Message.TrimEnd('.')} (ledger witness{verb} --help lists what it takes)");
    return 2;
}
try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (WitnessFailure failure)
{
    await Console.Error.WriteLineAsync($"witness: {failure.Message}");
    return failure.ExitCode;
}
catch (OperationCanceledException)
{
    return 0;
}

static Command Keygen()
{
    var name = new Option<string>("--name") { Description = "the witness's name, a schema-less URL such as witness.gov.example/w1", Required = true };
    var output = new Option<string>("--out") { Description = "the private key file to create (never overwritten; owner-only)", Required = true };
    var command = new Command("keygen", "Make a new Ed25519 witness key: writes the private key file and prints the verifier key to publish.") { name, output };
    command.SetAction(parse =>
    {
        var path = parse.GetValue(output)!;
        var verifier = WitnessKeyFile.Create(path, parse.GetValue(name)!);
        Console.WriteLine(verifier.ToString());
        Console.Error.WriteLine($"witness: wrote the private key of {verifier.Name} to {Path.GetFullPath(path)} (owner-only); publish the verifier key above, keep the file secret and backed up");
        return 0;
    });
    return command;
}

static Command Serve()
{
    var name = new Option<string>("--name") { Description = "the witness's name (must be the key file's)", Required = true };
    var key = new Option<string>("--key") { Description = "the private key file made by keygen", Required = true };
    var logs = new Option<string[]>("--log")
    {
        Description = "a log to witness: ORIGIN=VKEY (the log's verifier key, type 0x01); repeat for more logs or keys",
        Required = true,
        AllowMultipleArgumentsPerToken = false,
    };
    var listen = new Option<string>("--listen") { Description = "host:port to serve HTTP on (e.g. 127.0.0.1:7380; port 0 picks one)", Required = true };
    var state = new Option<string?>("--state") { Description = "the folder of its state (default: under the ledger's data folder, or ~/.local/state/ledger-witness/NAME)" };
    var command = new Command("serve", "Serve add-checkpoint and the monitoring API (C2SP tlog-witness) until stopped.") { name, key, logs, listen, state };
    command.SetAction((parse, ct) => WitnessServer.RunAsync(
        new ServeOptions(parse.GetValue(name)!, parse.GetValue(key)!, parse.GetValue(logs) ?? [], parse.GetValue(listen)!, parse.GetValue(state)),
        ct));
    return command;
}
