using Ledger.Api.Tests.Support;
using Ledger.Browser.Tests.Support;
using Ledger.Contracts;
using Ledger.Infrastructure.Integrity;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Ledger.Browser.Tests.Audit;

/// <summary>What the auditors' console tests share: the language cookie, screenshots at both sizes, the ledger's key and events.</summary>
internal static class AuditBrowsing
{
    /// <summary>The Suichuan–Guidong corridor: its history is the scenario's longest story (report, claims, verification).</summary>
    public const string Corridor = "a03-suichuan-guidong-corridor";

    /// <summary>Chooses the page's language as the switch does: ASP.NET Core's culture cookie.</summary>
    public static Task UseLanguageAsync(this PageTraffic traffic, string language) =>
        traffic.Page.Context.AddCookiesAsync([new Cookie
        {
            Name = ".AspNetCore.Culture",
            Value = $"c={language}|uic={language}",
            Url = traffic.Origin.GetLeftPart(UriPartial.Authority),
        }]);

    /// <summary>
    /// As <see cref="Screens.CaptureAsync"/>, and <paramref name="ready"/> waits for what the page must
    /// show before each shot (a result verify.js writes after the page has loaded).
    /// </summary>
    public static Task ScreenshotAsync(this PageTraffic traffic, string path, string name, Func<IPage, Task>? ready = null) =>
        Screens.CaptureAsync(traffic, path, name, ready);

    /// <summary>The ledger's checkpoint verifier key, as GET /api/integrity/public-key gives it.</summary>
    public static string LedgerKey(this LedgerHost host) => host.Services.GetRequiredService<LedgerIntegrity>().VerifierKey;

    /// <summary>Signs a checkpoint covering every event so far (what the integrity worker does on its schedule).</summary>
    public static async Task<StoredCheckpoint> CheckpointAsync(this LedgerHost host) =>
        await host.Services.GetRequiredService<LedgerIntegrity>().CheckpointAsync(CancellationToken.None)
        ?? throw new InvalidOperationException("the ledger holds no events");

    /// <summary>A commitment's events as stored: sequence, version and the contract type's name.</summary>
    public static async Task<IReadOnlyList<(long Sequence, long Version, string Type, DateTimeOffset Timestamp)>> EventsAsync(this LedgerHost host, string commitmentId)
    {
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(StreamKeys.Commitment(commitmentId));
        return [.. events.Select(e => (e.Sequence, e.Version, e.Data.GetType().Name, e.Timestamp))];
    }
}
