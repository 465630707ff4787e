using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ledger.Api.Tests.Support;
using Ledger.Browser.Tests.Support;
using Ledger.Integrity.Checkpoints;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests.Audit;

/// <summary>
/// The page's own script checks an event's inclusion proof and the checkpoint's Ed25519 signature with
/// WebCrypto, against a key the auditor pinned: a real event of the scenario verifies; a proof with one
/// hash byte changed, a checkpoint with its root changed, changed content and a wrong pinned key each
/// fail, naming the check; the script runs only with the hash the page (and the README) give; and the
/// offline copy verifies opened from disk.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserVerificationTests(ConsoleScenario scenario, Chromium chromium)
{
    private const string Verified = "✔ 已在本浏览器中独立验证";
    private const string Changed = "✘ 验证未通过：内容已被改动";
    private const string NotWitnessed = "✘ 验证未通过：检查点未达到您的策略要求的见证";

    [Fact]
    public async Task A_recorded_event_verifies_in_the_browser_on_the_verify_page_and_beside_it_in_the_history()
    {
        var (traffic, sequence) = await OpenPinnedAsync();
        await using var _ = traffic;
        var page = traffic.Page;

        await traffic.GotoAsync(VerifyPath(sequence));
        await Expect(Headline(page)).ToHaveTextAsync(Verified);
        foreach (var check in new[] { "signature", "leaf", "inclusion" })
            await Expect(page.Locator($"[data-verify-output] li[data-check={check}]")).ToHaveAttributeAsync("data-state", "ok");
        await Expect(page.Locator("[data-verify-output]")).ToContainTextAsync($"序号 {sequence}，commitment/{AuditBrowsing.Corridor} 第 1 版");
        await Expect(page.Locator("[data-verify-output]")).ToContainTextAsync("登记承诺事项");

        // The script is the file the README publishes, loaded with that hash as its integrity.
        var script = page.Locator("script[src*='js/verify']");
        await Expect(script).ToHaveAttributeAsync("integrity", "sha256-" + Convert.ToBase64String(SHA256.HashData(File.ReadAllBytes(ScriptFile))));

        // Beside the event in its history: the same check, its outcome next to the link.
        await traffic.GotoAsync($"/audit/commitments/{AuditBrowsing.Corridor}");
        var item = page.Locator($"#event-{sequence}");
        await item.GetByRole(AriaRole.Link, new() { Name = "验证" }).ClickAsync();
        await Expect(page.Locator($"#verify-{sequence} .verify-headline")).ToHaveTextAsync(Verified);
        await Expect(page).ToHaveURLAsync(new Regex($"/audit/commitments/{AuditBrowsing.Corridor}$"));

        // Reached by the console's enhanced navigation (no new page load), the verify page is set up all the same.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "审计页面" }).GetByRole(AriaRole.Link, new() { Name = "独立验证" }).ClickAsync();
        await Expect(page.Locator("[data-verify-pinned]")).ToHaveTextAsync(new Regex("^已固定的公钥："));

        // In English, the same words the glossary gives.
        await traffic.UseLanguageAsync("en");
        await traffic.GotoAsync(VerifyPath(sequence));
        await Expect(Headline(page)).ToHaveTextAsync("✔ Verified in this browser");
        traffic.AssertSelfContained();

        await traffic.ScreenshotAsync(VerifyPath(sequence), "audit-verify", p => Expect(Headline(p)).ToBeVisibleAsync());
    }

    [Fact]
    public async Task A_proof_with_one_hash_byte_changed_fails_naming_the_inclusion_proof()
    {
        var (traffic, sequence) = await OpenPinnedAsync();
        await using var _ = traffic;
        var page = traffic.Page;
        await traffic.GotoAsync(VerifyPath(sequence));
        await Expect(Headline(page)).ToHaveTextAsync(Verified);

        var proof = JsonNode.Parse(await page.Locator("#verify-proof").InputValueAsync())!;
        var first = Convert.FromBase64String((string)proof["proof"]![0]!);
        first[7] ^= 0x01;
        proof["proof"]![0] = Convert.ToBase64String(first);
        await page.Locator("#verify-proof").FillAsync(proof.ToJsonString());
        await Run(page);

        await Expect(Headline(page)).ToHaveTextAsync(Changed);
        await Expect(page.Locator("[data-verify-output] li[data-check=inclusion]")).ToHaveAttributeAsync("data-state", "failed");
        await Expect(page.Locator("[data-verify-output] li[data-check=signature]")).ToHaveAttributeAsync("data-state", "ok");
        await Expect(page.Locator("[data-verify-output] .verify-reason")).ToContainTextAsync("未通过的检查：存在性证明（RFC 9162 默克尔路径）。");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_checkpoint_with_its_root_changed_fails_naming_the_signature()
    {
        var (traffic, sequence) = await OpenPinnedAsync();
        await using var _ = traffic;
        var page = traffic.Page;
        await traffic.GotoAsync(VerifyPath(sequence));
        await Expect(Headline(page)).ToHaveTextAsync(Verified);

        var lines = (await page.Locator("#verify-checkpoint").InputValueAsync()).Split('\n');
        var root = Convert.FromBase64String(lines[2]);
        root[0] ^= 0x80;
        lines[2] = Convert.ToBase64String(root);
        await page.Locator("#verify-checkpoint").FillAsync(string.Join('\n', lines));
        await Run(page);

        await Expect(Headline(page)).ToHaveTextAsync(Changed);
        await Expect(page.Locator("[data-verify-output] li[data-check=signature]")).ToHaveAttributeAsync("data-state", "failed");
        await Expect(page.Locator("[data-verify-output] .verify-reason")).ToContainTextAsync("签名与检查点内容不符");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task Changed_content_fails_naming_the_leaf_hash()
    {
        var (traffic, sequence) = await OpenPinnedAsync();
        await using var _ = traffic;
        var page = traffic.Page;
        await traffic.GotoAsync(VerifyPath(sequence));
        await Expect(Headline(page)).ToHaveTextAsync(Verified);

        var content = await page.Locator("#verify-event").InputValueAsync();
        Assert.Contains("Suichuan County Transport Bureau", content);
        await page.Locator("#verify-event").FillAsync(content.Replace("Suichuan County Transport Bureau", "Guidong County Transport Bureau", StringComparison.Ordinal));
        await Run(page);

        await Expect(Headline(page)).ToHaveTextAsync(Changed);
        await Expect(page.Locator("[data-verify-output] li[data-check=leaf]")).ToHaveAttributeAsync("data-state", "failed");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_wrong_pinned_key_fails_saying_the_checkpoint_is_not_signed_by_it()
    {
        var (traffic, sequence) = await OpenPinnedAsync();
        await using var _ = traffic;
        var page = traffic.Page;
        // Another key under the ledger's own name: a checkpoint signed by it would pass for the ledger's.
        var name = scenario.Host.LedgerKey().Split('+')[0];
        await PinAsync(page, CheckpointKeys.VerifierKeyOf(CheckpointKeys.NewSeed(), name));

        await traffic.GotoAsync(VerifyPath(sequence));

        await Expect(Headline(page)).ToHaveTextAsync("✘ 验证未通过：签名检查点不是由您固定的公钥签署的");
        await Expect(page.Locator("[data-verify-output] .verify-reason")).ToContainTextAsync("检查点上没有");
        traffic.AssertSelfContained();
    }

    [Fact]
    public async Task A_pinned_policy_counts_the_witnesses_cosignatures_and_refuses_short_of_its_quorum()
    {
        var (traffic, sequence) = await OpenPinnedAsync();
        await using var _ = traffic;
        var page = traffic.Page;
        using var liuyang = Cosigner.Generate("witness.liuyang.example/w1");
        using var audit = Cosigner.Generate("audit-office.example/w1");
        var policy = $"log {scenario.Host.LedgerKey()}\nwitness liuyang {liuyang.Verifier}\nwitness audit {audit.Verifier}\nquorum 2\n";
        await page.Locator("#verify-key").FillAsync(policy);
        await page.GetByRole(AriaRole.Button, new() { Name = "固定此公钥" }).ClickAsync();
        await Expect(page.Locator("[data-verify-pinned]")).ToHaveTextAsync(new Regex("^已固定的信任策略：账本 .+，见证方 2 个，要求 2/2 \\(liuyang, audit\\)$"));

        // The ledger's checkpoint alone: signed, but no witness vouches for it.
        await traffic.GotoAsync(VerifyPath(sequence));
        await Expect(Headline(page)).ToHaveTextAsync(NotWitnessed);
        await Expect(page.Locator("[data-verify-output] li[data-check=signature]")).ToHaveAttributeAsync("data-state", "ok");
        await Expect(page.Locator("[data-verify-output] li[data-check=quorum]")).ToHaveAttributeAsync("data-state", "failed");
        await Expect(page.Locator("[data-verify-output] .verify-reason")).ToContainTextAsync("未达到您的策略要求的见证：尚无受信任的见证方联署；要求为 2/2 (liuyang, audit)");

        // Both witnesses' cosignatures of that same checkpoint meet the quorum; one alone does not.
        var note = await page.Locator("#verify-checkpoint").InputValueAsync();
        var body = note[..(note.IndexOf("\n\n", StringComparison.Ordinal) + 1)];
        var now = DateTimeOffset.UtcNow;
        await page.Locator("#verify-checkpoint").FillAsync(note.TrimEnd('\n') + "\n" + liuyang.Cosign(body, now) + audit.Cosign(body, now));
        await Run(page);
        await Expect(Headline(page)).ToHaveTextAsync(Verified);
        await Expect(page.Locator("[data-verify-output]")).ToContainTextAsync("见证：已由 liuyang, audit 联署");
        await Expect(page.Locator("[data-verify-output] li[data-check=quorum]")).ToHaveAttributeAsync("data-state", "ok");

        await page.Locator("#verify-checkpoint").FillAsync(note.TrimEnd('\n') + "\n" + liuyang.Cosign(body, now));
        await Run(page);
        await Expect(Headline(page)).ToHaveTextAsync(NotWitnessed);
        await Expect(page.Locator("[data-verify-output] .verify-reason")).ToContainTextAsync("已由 liuyang 联署；要求为 2/2");

        // A cosignature of another checkpoint (the witness's key, another tree size) does not count.
        var lines = body.Split('\n');
        var other = $"{lines[0]}\n{long.Parse(lines[1], System.Globalization.CultureInfo.InvariantCulture) + 1}\n{lines[2]}\n";
        await page.Locator("#verify-checkpoint").FillAsync(note.TrimEnd('\n') + "\n" + liuyang.Cosign(body, now) + audit.Cosign(other, now));
        await Run(page);
        await Expect(Headline(page)).ToHaveTextAsync(Changed);
        await Expect(page.Locator("[data-verify-output] li[data-check=signature]")).ToHaveAttributeAsync("data-state", "failed");
        traffic.AssertSelfContained();

        // What the auditor sees with the policy pinned and the ledger's checkpoint not yet witnessed.
        await traffic.ScreenshotAsync(VerifyPath(sequence), "audit-verify-policy", p => Expect(Headline(p)).ToBeVisibleAsync());
    }

    [Fact]
    public async Task The_script_runs_only_with_the_hash_the_page_gives()
    {
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "auditor");
        var page = traffic.Page;
        // A server that swaps the script (one comment added) is caught by the browser, not by the script.
        var original = await File.ReadAllTextAsync(ScriptFile);
        await page.RouteAsync("**/js/verify*.js", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200, ContentType = "text/javascript", Body = original + "\n// changed\n",
        }));
        await traffic.GotoAsync("/audit/verify");

        Assert.Equal("undefined", await page.EvaluateAsync<string>("typeof window.ledgerVerify"));
        Assert.Contains(traffic.Problems, p => p.Contains("integrity", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_offline_copy_verifies_opened_from_disk_with_the_proof_loaded_from_files()
    {
        var (traffic, sequence) = await OpenPinnedAsync();
        await using var _ = traffic;
        var page = traffic.Page;
        await traffic.GotoAsync(VerifyPath(sequence));
        await Expect(Headline(page)).ToHaveTextAsync(Verified);
        var folder = Directory.CreateTempSubdirectory("ledger-offline-verify-").FullName;
        var proof = Path.Combine(folder, "proof.json");
        var checkpoint = Path.Combine(folder, "checkpoint.txt");
        var content = Path.Combine(folder, "event.jsonl");
        await File.WriteAllTextAsync(proof, await page.Locator("#verify-proof").InputValueAsync());
        await File.WriteAllTextAsync(checkpoint, await page.Locator("#verify-checkpoint").InputValueAsync());
        await File.WriteAllTextAsync(content, await page.Locator("#verify-event").InputValueAsync());

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "下载离线验证页" }).ClickAsync());
        var copy = Path.Combine(folder, "ledger-verify.html");
        await download.SaveAsAsync(copy);
        traffic.AssertSelfContained();

        // A browser with no server: the file alone.
        await using var context = await chromium.Browser.NewContextAsync();
        var offline = await context.NewPageAsync();
        var requests = new List<string>();
        var errors = new List<string>();
        offline.Request += (_, r) => requests.Add(r.Url);
        offline.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        offline.PageError += (_, e) => errors.Add(e);
        await offline.GotoAsync(new Uri(copy).AbsoluteUri);

        await offline.Locator("#verify-key").FillAsync(scenario.Host.LedgerKey());
        await offline.GetByRole(AriaRole.Button, new() { Name = "固定此公钥" }).ClickAsync();
        await Expect(offline.Locator("[data-verify-pinned]")).ToContainTextAsync("已固定的公钥");
        await offline.Locator("#verify-proof-file").SetInputFilesAsync(proof);
        await offline.Locator("#verify-checkpoint-file").SetInputFilesAsync(checkpoint);
        await offline.Locator("#verify-event-file").SetInputFilesAsync(content);
        await Expect(offline.Locator("#verify-event")).ToHaveValueAsync(new Regex("Suichuan"));
        await Expect(offline.Locator("#verify-checkpoint")).ToHaveValueAsync(new Regex("\u2014 "));
        await Run(offline);
        await Expect(Headline(offline)).ToHaveTextAsync(Verified);

        // And it still tells a changed proof from a true one.
        var tampered = JsonNode.Parse(await File.ReadAllTextAsync(proof))!;
        var hash = Convert.FromBase64String((string)tampered["leafHash"]!);
        hash[31] ^= 0x01;
        tampered["leafHash"] = Convert.ToBase64String(hash);
        await offline.Locator("#verify-proof").FillAsync(tampered.ToJsonString());
        await Run(offline);
        await Expect(Headline(offline)).ToHaveTextAsync(Changed);

        Assert.All(requests, url => Assert.StartsWith("file://", url, StringComparison.Ordinal));
        Assert.Empty(errors);
        Directory.Delete(folder, recursive: true);
    }

    private static string ScriptFile => Path.Combine(Repository.Root, "src", "Ledger.Web", "wwwroot", "js", "verify.js");

    private static string VerifyPath(long sequence) => $"/audit/verify?commitment={AuditBrowsing.Corridor}&sequence={sequence}";

    private static ILocator Headline(IPage page) => page.Locator("[data-verify-output] .verify-headline");

    private static Task Run(IPage page) => page.GetByRole(AriaRole.Button, new() { Name = "在本浏览器中验证" }).ClickAsync();

    private static async Task PinAsync(IPage page, string key)
    {
        await page.Locator("#verify-key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "固定此公钥" }).ClickAsync();
        var parts = key.Split('+');
        await Expect(page.Locator("[data-verify-pinned]")).ToHaveTextAsync($"已固定的公钥：{parts[0]}（密钥编号 {parts[1]}）");
    }

    /// <summary>
    /// An auditor's browser with the ledger's key pinned on the verify page, and the corridor's first
    /// event (its registration), which a fresh checkpoint covers.
    /// </summary>
    private async Task<(PageTraffic Traffic, long Sequence)> OpenPinnedAsync()
    {
        await scenario.Host.CheckpointAsync();
        var events = await scenario.Host.EventsAsync(AuditBrowsing.Corridor);
        var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "auditor");
        await traffic.GotoAsync("/audit/verify");
        await PinAsync(traffic.Page, scenario.Host.LedgerKey());
        return (traffic, events[0].Sequence);
    }
}
