using System.Diagnostics;
using System.Net;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Writing;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ledger.Api.Tests;

/// <summary>The default window (24 hours); the periodic purge waits an hour, so the tests here see expired records still stored.</summary>
public sealed class IdempotencyWindowHost : LedgerHost
{
    protected override void Customize(IWebHostBuilder builder) => builder.UseSetting("Idempotency:CleanupInterval", "01:00:00");

    public async Task<IdempotencyRecord?> RecordAsync(string actor, string key)
    {
        await using var session = Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.LoadAsync<IdempotencyRecord>($"{actor}|{key}");
    }
}

/// <summary>
/// An Idempotency-Key replays its first answer for the window (Idempotency:Window, 24 hours by
/// default) measured on the ledger's clock; after that the key is free, the request is decided
/// afresh and its outcome replaces the old record; expired records are purged periodically.
/// </summary>
public sealed class IdempotencyWindowTests(IdempotencyWindowHost host) : IClassFixture<IdempotencyWindowHost>, IAsyncLifetime
{
    private const string Water = "idem-window";
    private const string Liuyang = $"government:{PilotZone.Liuyang}";

    public async Task InitializeAsync()
    {
        if ((await host.Client("auditor").GetAsync($"/api/commitments/{Water}")).StatusCode == HttpStatusCode.NotFound)
        {
            await PilotZone.RegisterGovernmentsAsync(host);
            await PilotZone.ActivateAgreementAsync(host);
            await PilotZone.ActiveCommitmentAsync(host, Water);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Within_the_window_the_same_key_and_body_replay_the_first_answer()
    {
        var key = Guid.NewGuid().ToString();
        var first = await ReportAsync("in-window", key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var after = await LengthAsync();

        host.Clock.Advance(TimeSpan.FromHours(24));
        var again = await ReportAsync("in-window", key);

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(["true"], again.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(first.Headers.ETag?.Tag, again.Headers.ETag?.Tag);
        Assert.Equal(after, await LengthAsync());
    }

    [Fact]
    public async Task After_the_window_the_same_request_is_decided_afresh_instead_of_replayed()
    {
        var key = Guid.NewGuid().ToString();
        await ReportAsync("expired-same", key).Ok();
        var after = await LengthAsync();

        host.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        var again = await ReportAsync("expired-same", key);

        // Decided again, the report is a duplicate: a refusal, not the first answer replayed.
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("duplicate_report", (string?)(await again.ReadAsync())["code"]);
        Assert.Equal(after, await LengthAsync());
    }

    [Fact]
    public async Task After_the_window_a_key_is_free_for_a_new_request_whose_outcome_replaces_the_old_record()
    {
        var key = Guid.NewGuid().ToString();
        await ReportAsync("first-use", key).Ok();
        var firstRecord = await host.RecordAsync(Liuyang, key);
        Assert.Equal(host.Clock.GetUtcNow(), firstRecord?.RecordedAt);

        host.Clock.Advance(TimeSpan.FromHours(25));
        var reused = await ReportAsync("second-use", key);

        // Inside the window a different body under the same key is refused with 422 idempotency_key_reused.
        Assert.Equal(HttpStatusCode.Created, reused.StatusCode);
        Assert.False(reused.Headers.Contains("Idempotent-Replayed"));
        var record = await host.RecordAsync(Liuyang, key);
        Assert.Equal(host.Clock.GetUtcNow(), record?.RecordedAt);
        Assert.NotEqual(firstRecord!.RequestHash, record!.RequestHash);
        Assert.Equal(firstRecord.Version + 1, record.Version);

        var replay = await ReportAsync("second-use", key);
        Assert.Equal(["true"], replay.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(reused.Headers.ETag?.Tag, replay.Headers.ETag?.Tag);
        var old = await ReportAsync("first-use", key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, old.StatusCode);
        Assert.Equal("idempotency_key_reused", (string?)(await old.ReadAsync())["code"]);
    }

    [Fact]
    public async Task Expired_records_are_purged_by_the_periodic_cleanup_and_live_ones_are_kept()
    {
        var quick = new PurgingHost();
        await quick.InitializeAsync();
        try
        {
            var admin = quick.Client("admin");
            await RegisterAsync(admin, "810001", "purge-old").Ok();
            quick.Clock.Advance(TimeSpan.FromHours(20));
            await RegisterAsync(admin, "810002", "purge-young").Ok();
            // Several cleanup rounds pass: nothing is old enough yet.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.Equal(2, await quick.CountRecordsAsync());

            quick.Clock.Advance(TimeSpan.FromHours(5));

            var deadline = Stopwatch.StartNew();
            while (await quick.CountRecordsAsync() > 1 && deadline.Elapsed < TimeSpan.FromSeconds(10))
                await Task.Delay(50);
            Assert.Null(await quick.RecordAsync("admin", "purge-old"));
            Assert.NotNull(await quick.RecordAsync("admin", "purge-young"));
            var cleanup = quick.Services.GetServices<IHostedService>().OfType<IdempotencyCleanup>().Single();
            await cleanup.PurgeAsync(CancellationToken.None);
            Assert.Equal(1, await quick.CountRecordsAsync());
        }
        finally
        {
            await quick.StopAsync();
        }
    }

    private async Task<HttpResponseMessage> ReportAsync(string reportId, string key)
    {
        var request = PilotZone.WaterReport(Water, reportId);
        request.Headers.Add("Idempotency-Key", key);
        return await host.Client("government", PilotZone.Liuyang).SendAsync(request);
    }

    private static Task<HttpResponseMessage> RegisterAsync(HttpClient admin, string id, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/governments")
        {
            Content = Json.Body(new { governmentId = id, nameZh = "测试", nameEn = "Test " + id, province = "Hunan", prefecture = "Changsha", level = "County" }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return admin.SendAsync(request);
    }

    private Task<long> LengthAsync() => PilotZone.StreamLengthAsync(host, $"commitment/{Water}");

    /// <summary>A host whose cleanup runs every 100 ms.</summary>
    private sealed class PurgingHost : LedgerHost
    {
        protected override void Customize(IWebHostBuilder builder) => builder.UseSetting("Idempotency:CleanupInterval", "00:00:00.100");

        public Task<long> CountRecordsAsync() =>
            TestDatabase.ScalarAsync<long>($"select count(*) from \"{Schema}\".mt_doc_idempotencyrecord");

        public async Task<IdempotencyRecord?> RecordAsync(string actor, string key)
        {
            await using var session = Services.GetRequiredService<IDocumentStore>().QuerySession();
            return await session.LoadAsync<IdempotencyRecord>($"{actor}|{key}");
        }
    }
}
