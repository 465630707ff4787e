using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Checkpoints;
using Ledger.Witness.Tests.Support;
using Microsoft.AspNetCore.Hosting;

namespace Ledger.Witness.Tests;

/// <summary>
/// The whole story with real parts: two witnesses started by their own command line (separate
/// processes, their own keys and state) cosign the pilot-zone ledger's checkpoints as the ledger submits
/// them; a policy of the ledger's key, both witnesses and a quorum of two accepts the cosigned checkpoint
/// and refuses one short of it; a ledger with the same origin and key that was rolled back, then forked, is
/// refused by both witnesses, and a verifier holding the policy refuses its checkpoints; a witness that is
/// down delays nothing but its own cosignature.
/// </summary>
public sealed class LedgerWitnessingTests : IAsyncLifetime
{
    private const string Origin = IntegritySettings.DefaultOrigin;
    private readonly string _seed = CheckpointKeys.NewSeed();
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<LedgerHost> _ledgers = [];
    private WitnessSetup _liuyang = null!;
    private WitnessSetup _audit = null!;
    private WitnessProcess _liuyangProcess = null!;
    private WitnessProcess _auditProcess = null!;

    private string LedgerKey => CheckpointKeys.VerifierKeyOf(_seed, Origin);

    public async Task InitializeAsync()
    {
        _liuyang = await WitnessSetup.CreateAsync("witness.liuyang.example/w1");
        _audit = await WitnessSetup.CreateAsync("audit-office.example/w1");
        _owned.Add(_liuyang);
        _owned.Add(_audit);
        _liuyangProcess = await _liuyang.StartAsync([$"{Origin}={LedgerKey}"]);
        _auditProcess = await _audit.StartAsync([$"{Origin}={LedgerKey}"]);
    }

    public async Task DisposeAsync()
    {
        foreach (var ledger in _ledgers) await ledger.StopAsync();
        foreach (var owned in Enumerable.Reverse(_owned)) await owned.DisposeAsync();
    }

    private async Task<WitnessedLedger> StartLedgerAsync()
    {
        var ledger = new WitnessedLedger(_seed, [(_liuyang, _liuyangProcess), (_audit, _auditProcess)]);
        _ledgers.Add(ledger);
        await ledger.InitializeAsync();
        return ledger;
    }

    private string Policy(int quorum, params NoteVerifierKey[] extra)
    {
        var lines = $"log {LedgerKey}\nwitness liuyang {_liuyang.Verifier}\nwitness audit {_audit.Verifier}\n"
            + string.Concat(extra.Select((k, i) => $"witness extra{i} {k}\n")) + $"quorum {quorum}\n";
        var path = Path.Combine(_liuyang.Folder, $"policy-{quorum}-{extra.Length}.txt");
        File.WriteAllText(path, lines);
        return path;
    }

    private static async Task<string> LatestAsync(LedgerHost ledger) =>
        await ledger.Anonymous().GetStringAsync("/api/integrity/checkpoints/latest");

    private static async Task<JsonObject> SignAsync(LedgerHost ledger)
    {
        var response = await ledger.Client("auditor").PostAsync("/api/integrity/checkpoints", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task Two_witnesses_cosign_the_ledgers_checkpoints_and_a_forked_ledger_is_refused()
    {
        var ledger = await StartLedgerAsync();
        await PilotZone.RegisterGovernmentsAsync(ledger);
        await PilotZone.ActivateAgreementAsync(ledger);

        // The first checkpoint: each witness learns it from "old 0" and cosigns it.
        var first = await SignAsync(ledger);
        var firstSize = (long)first["treeSize"]!;
        Assert.Equal(["audit-office.example/w1", "witness.liuyang.example/w1"], first["witnesses"]!.AsArray().Select(w => (string)w!).Order());
        var note = await LatestAsync(ledger);
        Assert.Equal(3, note.Split('\n').Count(l => l.StartsWith('\u2014')));
        var kept = Path.Combine(_liuyang.Folder, "first-checkpoint.txt");
        await File.WriteAllTextAsync(kept, note);

        // The policy: the ledger's key, both witnesses, two of them. Accepted; refused when three are asked.
        var (exit, output, error) = await LedgerTool.RunAsync(null, "proof", "checkpoint-verify", kept, "--policy", Policy(2));
        Assert.True(exit == 0, error);
        Assert.Contains("quorum 2 of liuyang, audit met", output, StringComparison.Ordinal);
        using var third = Cosigner.Generate("witness.pingxiang.example/w1");
        (exit, _, error) = await LedgerTool.RunAsync(null, "proof", "checkpoint-verify", kept, "--policy", Policy(3, third.Verifier));
        Assert.Equal(1, exit);
        Assert.Contains("the quorum is 3 of liuyang, audit, extra0", error, StringComparison.Ordinal);

        // The ledger grows: each witness checks the consistency proof from the size it holds and cosigns again.
        await PilotZone.ActiveCommitmentAsync(ledger);
        var second = await SignAsync(ledger);
        var secondSize = (long)second["treeSize"]!;
        Assert.True(secondSize > firstSize);
        Assert.Equal(2, second["witnesses"]!.AsArray().Count);
        foreach (var witness in new[] { _liuyangProcess, _auditProcess })
        {
            var monitored = await witness.Http.GetStringAsync($"/{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Origin)))}/checkpoint");
            Assert.StartsWith($"{Origin}\n{secondSize}\n", monitored, StringComparison.Ordinal);
        }
        (exit, _, error) = await LedgerTool.RunAsync(null, "proof", "checkpoint-verify", await SaveAsync(ledger, "second.txt"), "--policy", Policy(2));
        Assert.True(exit == 0, error);

        // The auditor's other verbs take the same policy: the whole log verified against the first cosigned
        // checkpoint, and a bundle whose checkpoint the witnesses cosigned.
        (exit, output, error) = await AgainstAsync(ledger, "verify", "--against", kept, "--policy", Policy(2));
        Assert.True(exit == 0, error);
        Assert.Contains($"consistent with your checkpoint of size {firstSize} (cosigned by liuyang, audit; quorum 2 of liuyang, audit met)", output, StringComparison.Ordinal);
        (exit, output, _) = await AgainstAsync(ledger, "verify", "--against", kept, "--policy", Policy(3, third.Verifier));
        Assert.Equal(1, exit);
        Assert.StartsWith("NOT VERIFIED: the kept checkpoint does not verify: cosigned by liuyang, audit; the quorum is 3 of", output, StringComparison.Ordinal);
        // One more event: the export signs a checkpoint of it and asks the witnesses there and then.
        await ledger.Client("government", PilotZone.Liuyang).SendAsync(PilotZone.WaterReport(PilotZone.Commitment, "before-the-export")).Ok();
        var bundle = Path.Combine(_liuyang.Folder, "bundle");
        (exit, _, error) = await AgainstAsync(ledger, "export", "--commitment", PilotZone.Commitment, "--out", bundle);
        Assert.True(exit == 0, error);
        (exit, output, error) = await AgainstAsync(ledger, "export", "verify", bundle, "--policy", Policy(2));
        Assert.True(exit == 0, error);
        var exported = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(bundle, "manifest.json")))!["checkpoint"]!["treeSize"]!.GetValue<long>();
        Assert.True(exported > secondSize);
        Assert.Contains("checkpoint cosigned by liuyang, audit; quorum 2 of liuyang, audit met", output, StringComparison.Ordinal);
        (exit, _, error) = await AgainstAsync(ledger, "export", "verify", bundle, "--policy", Policy(3, third.Verifier));
        Assert.Equal(1, exit);
        Assert.Contains("signed by the ledger but not witnessed as the policy asks", error, StringComparison.Ordinal);

        // A ledger with the same origin and key restored from an older state: a smaller tree. Both witnesses refuse it.
        var restored = await StartLedgerAsync();
        await PilotZone.RegisterGovernmentsAsync(restored);
        var rolledBack = await SignAsync(restored);
        Assert.True((long)rolledBack["treeSize"]! < exported);
        Assert.Empty(rolledBack["witnesses"]!.AsArray());
        var refused = await restored.Client("auditor").GetFromJsonAsync<JsonObject>("/api/integrity/status");
        foreach (var status in refused!["witnesses"]!.AsArray())
            Assert.Contains("larger than the ledger's checkpoint", (string)status!["lastError"]!, StringComparison.Ordinal);

        // The same ledger grows past the witnesses' size on a history of its own: a split view. The consistency proof fails: 422.
        await PilotZone.ActivateAgreementAsync(restored);
        await PilotZone.ActiveCommitmentAsync(restored, "commitment-fork");
        for (var i = 0; i < 5; i++) await restored.Client("government", "430181").SendAsync(PilotZone.WaterReport("commitment-fork", $"fork-{i}")).Ok();
        var forked = await SignAsync(restored);
        Assert.True((long)forked["treeSize"]! > exported);
        Assert.Empty(forked["witnesses"]!.AsArray());
        var split = await restored.Client("auditor").GetFromJsonAsync<JsonObject>("/api/integrity/status");
        foreach (var status in split!["witnesses"]!.AsArray())
            Assert.StartsWith("422", (string)status!["lastError"]!, StringComparison.Ordinal);
        // The witnesses still hold the true ledger's tree, and a verifier with the policy refuses the fork.
        Assert.Equal(exported, _liuyang.Rows("select size from checkpoints").Select(r => (long)r["size"]).Single());
        (exit, _, error) = await LedgerTool.RunAsync(null, "proof", "checkpoint-verify", await SaveAsync(restored, "forked.txt"), "--policy", Policy(1));
        Assert.Equal(1, exit);
        Assert.Contains("no trusted witness cosigned it", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_witness_that_is_down_delays_only_its_own_cosignature()
    {
        var ledger = await StartLedgerAsync();
        await PilotZone.RegisterGovernmentsAsync(ledger);
        await _auditProcess.KillAsync();

        await PilotZone.ActivateAgreementAsync(ledger);
        var checkpoint = await SignAsync(ledger);
        Assert.Equal(["witness.liuyang.example/w1"], checkpoint["witnesses"]!.AsArray().Select(w => (string)w!));

        // The lag per witness, as the ledger's gauge reports it: none for the one that answered, the whole tree for the other.
        var lags = new Dictionary<string, long>();
        using (var listener = new System.Diagnostics.Metrics.MeterListener())
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "ledger.witness.lag_leaves") l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                    if (tag.Key == "witness") lags[(string)tag.Value!] = value;
            });
            listener.Start();
            listener.RecordObservableInstruments();
        }
        Assert.Equal(0, lags["witness.liuyang.example/w1"]);
        Assert.Equal((long)checkpoint["treeSize"]!, lags["audit-office.example/w1"]);

        var ready = await ledger.Anonymous().GetFromJsonAsync<JsonObject>("/health/ready");
        Assert.Equal("degraded", (string)ready!["checks"]!["witnesses"]!["status"]!);
        Assert.Contains("audit-office.example/w1: cosigned 0", (string)ready["checks"]!["witnesses"]!["detail"]!, StringComparison.Ordinal);
        // Appends go on: the ledger answered every write above, and more now.
        await PilotZone.ActiveCommitmentAsync(ledger);
        await ledger.Client("government", "430181").SendAsync(PilotZone.WaterReport(PilotZone.Commitment, "while-a-witness-is-down")).Ok();
        // One witness of two is short of a quorum of two.
        var (exit, _, _) = await LedgerTool.RunAsync(null, "proof", "checkpoint-verify", await SaveAsync(ledger, "one.txt"), "--policy", Policy(2));
        Assert.Equal(1, exit);
    }

    /// <summary>The command-line tool against <paramref name="ledger"/>'s database and key, as its operator or an auditor runs it there.</summary>
    private async Task<(int Exit, string Output, string Error)> AgainstAsync(LedgerHost ledger, params string[] args)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Ledger"] = TestDatabase.ConnectionString,
            ["Integrity__SigningKey"] = _seed,
            ["LEDGER_DATA_DIR"] = _liuyang.Folder,
            ["Witnesses__0__Url"] = _liuyangProcess.BaseAddress.ToString(),
            ["Witnesses__0__VerifierKey"] = _liuyang.Verifier.ToString(),
            ["Witnesses__1__Url"] = _auditProcess.BaseAddress.ToString(),
            ["Witnesses__1__VerifierKey"] = _audit.Verifier.ToString(),
        };
        var saved = settings.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        foreach (var (name, value) in settings) Environment.SetEnvironmentVariable(name, value);
        try
        {
            return await LedgerTool.RunAsync(ledger.Schema, args);
        }
        finally
        {
            foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        }
    }

    private async Task<string> SaveAsync(LedgerHost ledger, string name)
    {
        var path = Path.Combine(_liuyang.Folder, name);
        await File.WriteAllTextAsync(path, await LatestAsync(ledger));
        return path;
    }

    /// <summary>A ledger on its own schema, signing with the given seed, submitting to the given witnesses.</summary>
    private sealed class WitnessedLedger(string seed, IReadOnlyList<(WitnessSetup Setup, WitnessProcess Process)> witnesses) : LedgerHost
    {
        protected override void Customize(IWebHostBuilder builder)
        {
            builder.UseSetting("Integrity:SigningKey", seed);
            builder.UseSetting("Integrity:PollInterval", "00:00:00.100");
            builder.UseSetting("Integrity:WitnessTimeout", "00:00:05");
            for (var i = 0; i < witnesses.Count; i++)
            {
                builder.UseSetting($"Witnesses:{i}:Url", witnesses[i].Process.BaseAddress.ToString());
                builder.UseSetting($"Witnesses:{i}:VerifierKey", witnesses[i].Setup.Verifier.ToString());
            }
        }
    }
}
