using System.IO.Compression;
using Ledger.Api.Tests.Support;
using Ledger.Browser.Tests.Support;
using Ledger.Infrastructure.Audit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Browser.Tests.Audit;

/// <summary>
/// An auditor downloads an audit bundle as a .zip from the console; `ledger export verify` accepts the
/// .zip as it is, against the ledger's key, and the download is in the access log like the command
/// line's export. Bad input is refused beside its field and nothing is exported.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AuditExportDownloadTests(ConsoleScenario scenario, Chromium chromium)
{
    [Fact]
    public async Task The_bundle_downloads_as_a_zip_that_export_verify_accepts_and_the_download_is_recorded()
    {
        var log = scenario.Host.Services.GetRequiredService<AccessLog>();
        var (last, _) = await log.QueryAsync(new AccessLogQuery(null, null, null, null, 1, null), CancellationToken.None);
        var before = last.FirstOrDefault()?.Id ?? 0;
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        var auditor = await traffic.SignInAsync(scenario.Host, "auditor");
        var page = traffic.Page;
        await traffic.GotoAsync("/audit/export");

        await page.GetByLabel("导出范围").SelectOptionAsync($"commitment:{AuditBrowsing.Corridor}");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "下载 .zip 审计包" }).ClickAsync());

        Assert.Matches(@"^ledger-audit-commitment-a03-suichuan-guidong-corridor-\d{8}T\d{6}Z\.zip$", download.SuggestedFilename);
        var folder = Directory.CreateTempSubdirectory("ledger-console-bundle-").FullName;
        var zip = Path.Combine(folder, download.SuggestedFilename);
        await download.SaveAsAsync(zip);
        using (var archive = ZipFile.OpenRead(zip))
        {
            Assert.Equal(
                [AuditBundle.Checkpoint, AuditBundle.CommitmentsCsv, AuditBundle.EventsCsv, AuditBundle.Events, AuditBundle.Manifest, AuditBundle.ManifestSignature, AuditBundle.Proofs],
                archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        }

        var (exit, output, error) = await LedgerTool.RunAsync(null, "export", "verify", zip, "--key", scenario.Host.LedgerKey());
        Assert.True(exit == 0, $"export verify exited {exit}: {output}{error}");
        var events = await scenario.Host.EventsAsync(AuditBrowsing.Corridor);
        Assert.Contains($"{events.Count} events", output, StringComparison.Ordinal);

        // Recorded as the command line's export is: the person, the download, the selection, exit code 0.
        var (entries, _) = await log.QueryAsync(new AccessLogQuery(auditor, AuditBrowsing.Corridor, null, null, 20, null), CancellationToken.None);
        var entry = Assert.Single(entries, e => e.Id > before);
        Assert.Equal("GET /audit/export/bundle", entry.Action);
        Assert.Equal(download.SuggestedFilename, entry.Target);
        Assert.Equal("commitment", (string?)entry.Filters["scope"]);
        Assert.Equal(0, entry.Status);
        Assert.Equal(new AccessActor(auditor, "auditor", null), entry.Actor);
        traffic.AssertSelfContained();
        Directory.Delete(folder, recursive: true);

        await traffic.ScreenshotAsync("/audit/export", "audit-export");
    }

    [Fact]
    public async Task A_range_that_ends_before_it_starts_is_refused_beside_the_field_and_nothing_is_exported()
    {
        var log = scenario.Host.Services.GetRequiredService<AccessLog>();
        var (last, _) = await log.QueryAsync(new AccessLogQuery(null, null, null, null, 1, null), CancellationToken.None);
        await using var traffic = await chromium.OpenAsync(scenario.Origin);
        await traffic.SignInAsync(scenario.Host, "auditor");
        var page = traffic.Page;
        await traffic.GotoAsync("/audit/export");

        await page.GetByLabel("导出范围").SelectOptionAsync("government:360827");
        await page.GetByLabel("记录起始日期（可选）").FillAsync("2024-06-30");
        await page.GetByLabel("记录截止日期（可选）").FillAsync("2024-01-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "下载 .zip 审计包" }).ClickAsync();

        await Expect(page.Locator("#to-error")).ToHaveTextAsync("截止日期早于起始日期。");
        await Expect(page.GetByLabel("导出范围")).ToHaveValueAsync("government:360827");
        var (after, _) = await log.QueryAsync(new AccessLogQuery(null, null, null, null, 1, null), CancellationToken.None);
        Assert.Equal(last.FirstOrDefault()?.Id, after.FirstOrDefault()?.Id);

        // Only auditors take bundles away: a supervisor is refused the page and the download.
        await using var supervisor = await chromium.OpenAsync(scenario.Origin);
        await supervisor.SignInAsync(scenario.Host, "supervisor");
        await supervisor.Page.GotoAsync("/audit/export/bundle?scope=all");
        await Expect(supervisor.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/forbidden"));
        traffic.AssertSelfContained();
    }
}
