using Ledger.Contracts;
using Ledger.Api.Tests.Support;
using Ledger.Domain;
using Ledger.Infrastructure.Resilience;
using Ledger.Infrastructure.Store;
using Ledger.Infrastructure.Writing;
using Ledger.Projections;
using Marten;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// Group commit on the real PostgreSQL: appends queued together share one transaction (seen in
/// mt_events' xmin), yet each keeps its own expected version and idempotency record — an append that
/// lost a race fails alone and the others land; two appends to one stream never share a batch.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private readonly string _schema = TestDatabase.NewSchemaName("grp");
    private DocumentStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = LedgerStore.Create(TestDatabase.ConnectionString, _schema, TimeProvider.System);
        await _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await TestDatabase.DropSchemaAsync(_schema);
    }

    [Fact]
    public async Task Appends_queued_together_commit_in_one_transaction_with_their_own_envelopes()
    {
        var (outcomes, _) = await CommitTogetherAsync(Enumerable.Range(0, 10).Select(i => Start($"g{i}", $"actor-{i}")).ToArray());

        Assert.All(outcomes, o => Assert.Null(o));
        Assert.Equal(10L, await ScalarAsync("select count(*) from \"{0}\".mt_events"));
        Assert.Equal(1L, await ScalarAsync("select count(distinct xmin::text) from \"{0}\".mt_events"));
        // Each event carries its own request's actor, not the batch's first one.
        Assert.Equal(10L, await ScalarAsync("select count(distinct user_name) from \"{0}\".mt_events"));
        Assert.Equal(0L, await ScalarAsync("select count(*) from \"{0}\".mt_events where user_name <> 'actor-' || substr(stream_id, 13)"));
        Assert.Equal(10L, await ScalarAsync("select count(distinct correlation_id) from \"{0}\".mt_events"));
        // No causation was given: none is stored (not a trace id filled in by the session).
        Assert.Equal(0L, await ScalarAsync("select count(*) from \"{0}\".mt_events where causation_id is not null"));
    }

    [Fact]
    public async Task An_append_that_lost_its_race_fails_alone_and_the_rest_of_its_batch_lands()
    {
        await CommitTogetherAsync(Start("g-taken", "first"));

        // Starting an existing stream fails Marten's check at commit: the batch is rolled back and
        // committed again append by append.
        var (outcomes, _) = await CommitTogetherAsync([Start("g-taken", "second"), .. Enumerable.Range(0, 6).Select(i => Start($"g-ok-{i}", "ok"))]);

        Assert.True(outcomes[0] is not null && LedgerWriter.IsConcurrencyFailure(outcomes[0]!), $"expected a concurrency failure, got {outcomes[0]}");
        Assert.All(outcomes.Skip(1), o => Assert.Null(o));
        Assert.Equal(1L, await ScalarAsync("select count(*) from \"{0}\".mt_events where stream_id = 'government/g-taken'"));
        Assert.Equal("first", await ScalarAsync<string>("select user_name from \"{0}\".mt_events where stream_id = 'government/g-taken'"));
        Assert.Equal(6L, await ScalarAsync("select count(*) from \"{0}\".mt_events where stream_id like 'government/g-ok-%'"));
    }

    [Fact]
    public async Task Two_appends_to_one_stream_at_the_same_version_never_both_land()
    {
        await CommitTogetherAsync(Start("g-shared", "creator"));

        var (outcomes, _) = await CommitTogetherAsync(Append("g-shared", 1, "a"), Append("g-shared", 1, "b"), Start("g-other", "c"));

        // Had both gone into one session, Marten would have appended them as one action at version 1.
        Assert.Null(outcomes[0]);
        Assert.True(outcomes[1] is not null && LedgerWriter.IsConcurrencyFailure(outcomes[1]!), $"expected a concurrency failure, got {outcomes[1]}");
        Assert.Null(outcomes[2]);
        Assert.Equal(2L, await ScalarAsync("select max(version) from \"{0}\".mt_events where stream_id = 'government/g-shared'"));
        Assert.Equal("a", await ScalarAsync<string>("select user_name from \"{0}\".mt_events where stream_id = 'government/g-shared' and version = 2"));
    }

    [Fact]
    public async Task Two_records_of_one_idempotency_key_never_both_land()
    {
        var (outcomes, _) = await CommitTogetherAsync(Start("g-key-1", "k", record: "actor|key-1"), Start("g-key-2", "k", record: "actor|key-1"));

        Assert.Null(outcomes[0]);
        Assert.True(outcomes[1] is not null && LedgerWriter.IsConcurrencyFailure(outcomes[1]!), $"expected a duplicate key failure, got {outcomes[1]}");
        Assert.Equal(0L, await ScalarAsync("select count(*) from \"{0}\".mt_events where stream_id = 'government/g-key-2'"));
        await using var session = _store.QuerySession();
        Assert.Equal("government/g-key-1", (await session.LoadAsync<IdempotencyRecord>("actor|key-1"))?.StreamKey);
    }

    [Fact]
    public async Task An_append_PostgreSQL_refuses_fails_alone_and_the_rest_of_its_batch_lands()
    {
        // U+0000 in a name: jsonb refuses it at commit (the API refuses it earlier; this is the layer below).
        var (outcomes, _) = await CommitTogetherAsync([Start("g-nul", "nul", name: "a\u0000b"), .. Enumerable.Range(0, 6).Select(i => Start($"g-fine-{i}", "fine"))]);

        Assert.True(outcomes[0] is not null && DatabaseFailures.IsRefusal(outcomes[0]!), $"expected PostgreSQL's refusal, got {outcomes[0]}");
        Assert.All(outcomes.Skip(1), o => Assert.Null(o));
        Assert.Equal(0L, await ScalarAsync("select count(*) from \"{0}\".mt_events where stream_id = 'government/g-nul'"));
        Assert.Equal(6L, await ScalarAsync("select count(*) from \"{0}\".mt_events where stream_id like 'government/g-fine-%'"));
    }

    [Fact]
    public async Task Appends_PostgreSQL_refused_leave_no_connection_out_of_step_for_the_next()
    {
        // One pooled connection with auto-prepare, so every commit reuses the one a refusal happened on.
        // A statement is prepared on its second use; when that use is refused, the valid commit after it
        // failed with Npgsql's "unexpected DataRow" before the fix. Rounds of 2, 3… refusals, then a valid one.
        var connection = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { MaxPoolSize = 1, MaxAutoPrepare = 50, AutoPrepareMinUsages = 2 };
        await using var store = LedgerStore.Create(connection.ConnectionString, _schema, TimeProvider.System);
        // Marten checks the schema on a store's first commit on a second connection: done here, first.
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var failures = new List<string>();
        for (var round = 1; round <= 5; round++)
        {
            for (var i = 0; i <= round; i++)
            {
                var refused = await Xunit.Record.ExceptionAsync(() => GroupCommit.WriteAsync(store, [Start($"p-{round}-{i}", "nul", name: "a\u0000b")], CancellationToken.None));
                Assert.True(refused is not null && DatabaseFailures.IsRefusal(refused), $"expected PostgreSQL's refusal, got {refused}");
            }
            var valid = await Xunit.Record.ExceptionAsync(() => GroupCommit.WriteAsync(store, [Start($"v-{round}", "fine")], CancellationToken.None));
            if (valid is not null) failures.Add($"round {round}: {valid.GetType().Name}: {valid.Message} {valid.InnerException?.Message}");
        }

        Assert.Empty(failures);
        Assert.Equal(5L, await ScalarAsync("select count(*) from \"{0}\".mt_events where stream_id like 'government/v-%'"));
    }

    [Fact]
    public async Task A_commit_PostgreSQL_rolled_back_as_a_deadlock_victim_is_made_again_and_lands_once()
    {
        await CommitTogetherAsync(Start("g-dl-a", "a"), Start("g-dl-b", "b"));
        // PostgreSQL looks for a deadlock once, deadlock_timeout after a wait begins, and rolls back the
        // transaction that looks first. The commit looks after 5 s, the other side after 60 s, so the
        // commit is the victim however slowly this machine gets the other side's second request out.
        var committing = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { Options = "-c deadlock_timeout=5s" };
        await using var store = LedgerStore.Create(committing.ConnectionString, _schema, TimeProvider.System);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var other = new NpgsqlConnection(TestDatabase.ConnectionString);
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await ExecuteAsync(other, tx, "set local deadlock_timeout = '60s'");
        await ExecuteAsync(other, tx, $"select 1 from \"{_schema}\".mt_streams where id = 'government/g-dl-a' for update");

        // One commit that takes stream b's row, then waits for a's, which the other transaction holds…
        var commit = GroupCommit.WriteAsync(store, [Append("g-dl-b", 1, "w"), Append("g-dl-a", 1, "w")], CancellationToken.None);
        while (await WaitingOnALockAsync() == 0 && !commit.IsCompleted)
            await Task.Delay(10);
        // …while the other transaction asks for b's: a deadlock. Once the commit is rolled back, the other
        // side gets b's row; had the commit not been made again it would fail with 40P01.
        await ExecuteAsync(other, tx, $"select 1 from \"{_schema}\".mt_streams where id = 'government/g-dl-b' for update");
        Assert.False(commit.IsCompleted);
        await tx.CommitAsync();
        await commit;

        Assert.Equal(2L, await ScalarAsync("select count(*) from \"{0}\".mt_events where user_name = 'w'"));
        Assert.Equal(2L, await ScalarAsync("select max(version) from \"{0}\".mt_events where stream_id = 'government/g-dl-a'"));
    }

    // Sessions of this schema's tests that are waiting for a lock (other classes use other schemas).
    private Task<long> WaitingOnALockAsync() => ScalarAsync(
        "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%{0}%' and query not like '%pg_stat_activity%'");

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_value_PostgreSQL_refused_in_a_query_leaves_the_pool_usable_once_cleared()
    {
        // Marten's query sessions hand their connection back to the pool before the error surfaces;
        // clearing the pool is what keeps the refused connection from the next query.
        var connection = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { MaxPoolSize = 1, MaxAutoPrepare = 50, AutoPrepareMinUsages = 2 };
        await using var store = LedgerStore.Create(connection.ConnectionString, _schema, TimeProvider.System);
        var dataSource = ((Weasel.Postgresql.PostgresqlDatabase)store.Storage.Database).DataSource;
        await CommitTogetherAsync(Start("g-read", "reader"));

        async Task<GovernmentView?> LoadAsync(string id)
        {
            await using var session = store.QuerySession();
            return await session.LoadAsync<GovernmentView>(id);
        }

        for (var round = 1; round <= 3; round++)
        {
            for (var i = 0; i < 2; i++)
            {
                var refused = await Xunit.Record.ExceptionAsync(() => LoadAsync("government/a\u0000b"));
                Assert.True(refused is not null && PreparedStatements.ClearPoolAfter(refused, dataSource), $"expected a refused value, got {refused}");
            }
            Assert.NotNull(await LoadAsync(StreamKeys.Government("g-read")));
        }
    }

    [Fact]
    public async Task A_batch_is_never_larger_than_the_limit()
    {
        var (outcomes, transactions) = await CommitTogetherAsync(maxBatch: 4, Enumerable.Range(0, 10).Select(i => Start($"g-lim-{i}", "l")).ToArray());

        Assert.All(outcomes, o => Assert.Null(o));
        Assert.Equal(3L, transactions); // 4 + 4 + 2
    }

    private Task<(Exception?[] Outcomes, long Transactions)> CommitTogetherAsync(params PendingAppend[] appends) =>
        CommitTogetherAsync(64, appends);

    /// <summary>Queues every append before the group commit starts, then waits for each outcome.</summary>
    private async Task<(Exception?[] Outcomes, long Transactions)> CommitTogetherAsync(int maxBatch, params PendingAppend[] appends)
    {
        var start = new TaskCompletionSource();
        var before = await ScalarAsync("select count(distinct xmin::text) from \"{0}\".mt_events");
        var group = new GroupCommit(_store, maxBatch, start.Task);
        var pending = appends.Select(group.CommitAsync).ToArray();
        start.SetResult();
        var outcomes = new Exception?[appends.Length];
        for (var i = 0; i < pending.Length; i++)
        {
            try { await pending[i]; }
            catch (Exception ex) { outcomes[i] = ex; }
        }
        await group.DisposeAsync();
        return (outcomes, await ScalarAsync("select count(distinct xmin::text) from \"{0}\".mt_events") - before);
    }

    private static PendingAppend Start(string government, string actor, string? record = null, string name = "测试县") =>
        new(StreamKeys.Government(government), 0, [Registered(government, name)], Context(actor), Record(record, government), replacesRecord: false);

    private static PendingAppend Append(string government, long version, string actor) =>
        new(StreamKeys.Government(government), version, [Registered(government)], Context(actor), null, replacesRecord: false);

    private static GovernmentRegistered Registered(string id, string name = "测试县") =>
        new(id, name, "Test County", Province.Hunan, "株洲市", GovernmentLevel.County, "admin", DateTimeOffset.UtcNow);

    private static RequestContext Context(string actor) => new(new Actor(actor, ActorRole.Admin), Guid.NewGuid().ToString("N"));

    private static IdempotencyRecord? Record(string? id, string government) => id is null ? null : new IdempotencyRecord
    {
        Id = id, RequestHash = "h", StreamKey = StreamKeys.Government(government), Version = 1, EventTypes = ["government_registered"], RecordedAt = DateTimeOffset.UtcNow,
    };

    private Task<long> ScalarAsync(string sql) => ScalarAsync<long>(sql);

    private Task<T> ScalarAsync<T>(string sql) => TestDatabase.ScalarAsync<T>(string.Format(sql, _schema));
}
