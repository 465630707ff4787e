using Ledger.Infrastructure.Store;
using System.Diagnostics;
using System.Security.Cryptography;
using JasperFx.Events;
using Ledger.Contracts;
using Ledger.Domain;
using Ledger.Domain.Accounts;
using Ledger.Infrastructure.Writing;
using Marten;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Infrastructure.Accounts;

public enum SignInResult { SignedIn, WrongNameOrPassword, LockedOut, Disabled }

/// <summary>Who signed in, in which role, and the stamp their session carries until the account changes.</summary>
public sealed record AccountSession(string AccountId, AccountRole Role, string? GovernmentId, string SessionStamp, bool MustChangePassword)
{
    /// <summary>The role as the ledger's claims name it (<c>government</c>, <c>supervisor</c>, …).</summary>
    public string RoleName => Role.ToString().ToLowerInvariant();
}

public sealed record SignInOutcome(SignInResult Result, AccountSession? Session = null, DateTimeOffset? LockedUntil = null);

/// <summary>An account as <c>user list</c> and the auditors' page show it: its events' word, and the table's.</summary>
public sealed record AccountSummary(
    string AccountId, AccountRole Role, string? GovernmentId, bool Disabled, bool MustChangePassword, DateTimeOffset? LockedUntil, DateTimeOffset? LastSignIn);

/// <summary>An account and every event of its life, oldest first.</summary>
public sealed record AccountHistory(AccountSummary Account, IReadOnlyList<IEvent> Events);

/// <summary>
/// Accounts: their life as events on the account's stream (through the ledger's writer and the pure
/// <see cref="AccountDecider"/>), their passwords in <see cref="AccountSchema"/>'s table, hashed with
/// ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>.
///
/// The events and the table are written in one transaction: the table's row is written on the append's
/// own transaction (<see cref="AlongsideWrite"/>), which Marten commits with the events. An account
/// therefore never exists without its password, nor a password without its account, whatever fails
/// and wherever: no order of two commits could promise that, as the second may always fail after the
/// first has landed. Sign-in itself changes only the table (failures, lock-out, last sign-in), under a
/// row lock, so that failures counted at once are all counted.
/// </summary>
public sealed class AccountBook(LedgerWriter writer, IDocumentStore store, NpgsqlDataSource db, string schema, TimeProvider time)
{
    /// <summary>Failed sign-ins in a row that lock an account, and for how long.</summary>
    public const int FailuresBeforeLockout = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    public const int MinimumPasswordLength = 10;
    public const int MaximumPasswordLength = 128;

    private static readonly PasswordHasher<string> Hasher = new();
    // Checked when the name is unknown, so that a wrong name costs as long as a wrong password and the
    // time taken does not tell which names exist.
    private static readonly Lazy<string> DecoyHash = new(() => Hasher.HashPassword("", RandomNumberGenerator.GetHexString(32)));
    // One-time passwords are read aloud or typed from a printout: no letters that pass for one another.
    private const string OneTimeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    private readonly SchemaOnce _schema = new(ct => AccountSchema.EnsureAsync(db, schema, ct));

    private string Table => $"\"{schema}\".{AccountSchema.Table}";

    public TimeProvider Time => time;

    public Task EnsureSchemaAsync(CancellationToken ct) => _schema.EnsureAsync(ct);

    /// <summary>
    /// Opens an account. Without <paramref name="password"/> it gets a one-time password, returned, that
    /// the person must replace at first sign-in; with one (the demo's accounts, the tests') that password
    /// stands as it is.
    /// </summary>
    public async Task<string> CreateAsync(string accountId, AccountRole role, string? governmentId, string? password, RequestContext context, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        if (password is not null) CheckNewPassword(password, "password");
        await RequireGovernmentAsync(role, governmentId, ct);
        var secret = password ?? OneTimePassword();
        var hash = Hasher.HashPassword(accountId, secret);
        var now = time.GetUtcNow();
        await writer.ExecuteAsync<AccountState>(StreamKeys.Account(accountId), null, AccountState.Evolve,
            s => AccountDecider.Decide(s, new CreateAccount(accountId, role, governmentId, context.Actor, now)), context, ct,
            (connection, tx, token) => ExactlyOneRowAsync(connection, tx, $"""
                insert into {Table} (account_id, password_hash, must_change, session_stamp, password_set_at)
                values (@id, @hash, @must_change, @stamp, @now)
                """, token, ("id", accountId), ("hash", hash), ("must_change", password is null), ("stamp", NewStamp()), ("now", now)));
        return secret;
    }

    /// <summary>Gives the account another role; its open sessions end (they carry the role before).</summary>
    public async Task<AppendResult> GrantRoleAsync(string accountId, AccountRole role, string? governmentId, RequestContext context, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        await RequireGovernmentAsync(role, governmentId, ct);
        var now = time.GetUtcNow();
        return await writer.ExecuteAsync<AccountState>(StreamKeys.Account(accountId), null, AccountState.Evolve,
            s => AccountDecider.Decide(s, new GrantAccountRole(accountId, role, governmentId, context.Actor, now)), context, ct, EndSessions(accountId));
    }

    /// <summary>Disables the account; its open sessions end at their next request.</summary>
    public async Task<AppendResult> DisableAsync(string accountId, RequestContext context, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        var now = time.GetUtcNow();
        return await writer.ExecuteAsync<AccountState>(StreamKeys.Account(accountId), null, AccountState.Evolve,
            s => AccountDecider.Decide(s, new DisableAccount(accountId, context.Actor, now)), context, ct, EndSessions(accountId));
    }

    /// <summary>Gives the account a new one-time password, returned; its open sessions end and a lock-out is lifted.</summary>
    public async Task<string> ResetPasswordAsync(string accountId, RequestContext context, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        var secret = OneTimePassword();
        var hash = Hasher.HashPassword(accountId, secret);
        var now = time.GetUtcNow();
        await writer.ExecuteAsync<AccountState>(StreamKeys.Account(accountId), null, AccountState.Evolve,
            s => AccountDecider.Decide(s, new ResetAccountPassword(accountId, context.Actor, now)), context, ct,
            (connection, tx, token) => ExactlyOneRowAsync(connection, tx, $"""
                update {Table} set password_hash = @hash, must_change = true, session_stamp = @stamp, password_set_at = @now,
                    failed_attempts = 0, locked_until = null
                where account_id = @id
                """, token, ("id", accountId), ("hash", hash), ("stamp", NewStamp()), ("now", now)));
        return secret;
    }

    /// <summary>
    /// The person (<paramref name="context"/>'s actor) replaces their own password, proving the current
    /// one. Their other sessions end; the session returned carries the new stamp. A form sent twice finds
    /// the password already changed to the new one, and answers as the first did.
    /// </summary>
    public async Task<AccountSession> ChangePasswordAsync(string accountId, string current, string next, RequestContext context, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        CheckNewPassword(next, "newPassword");
        var row = await CredentialsAsync(accountId, ct)
            ?? throw DomainException.NotFound("account_not_found", $"There is no account {accountId}.", "name");
        if (!Verifies(accountId, row.Hash, current))
        {
            if (Verifies(accountId, row.Hash, next) && !row.MustChange)
                return await SessionOfAsync(accountId, row.Stamp, mustChange: false, ct);
            throw DomainException.Rule("wrong_password", "The current password is not right.", "currentPassword");
        }
        if (string.Equals(current, next, StringComparison.Ordinal))
            throw DomainException.Rule("password_unchanged", "The new password must differ from the current one.", "newPassword");
        var hash = Hasher.HashPassword(accountId, next);
        var stamp = NewStamp();
        var now = time.GetUtcNow();
        await writer.ExecuteAsync<AccountState>(StreamKeys.Account(accountId), null, AccountState.Evolve,
            s => AccountDecider.Decide(s, new ChangeAccountPassword(accountId, context.Actor, now)), context, ct,
            // Only over the hash just checked: a reset that landed meanwhile is not silently undone.
            (connection, tx, token) => ExactlyOneRowAsync(connection, tx, $"""
                update {Table} set password_hash = @hash, must_change = false, session_stamp = @stamp, password_set_at = @now,
                    failed_attempts = 0, locked_until = null
                where account_id = @id and password_hash = @old
                """, token, ("id", accountId), ("hash", hash), ("stamp", stamp), ("now", now), ("old", row.Hash)));
        return await SessionOfAsync(accountId, stamp, mustChange: false, ct);
    }

    /// <summary>
    /// Checks a name and password. Five failures in a row lock the account for fifteen minutes (the
    /// failure that locks it says until when); while locked, no password is checked at all.
    /// </summary>
    public async Task<SignInOutcome> SignInAsync(string accountId, string password, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        var now = time.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        Credentials? row;
        await using (var read = new NpgsqlCommand(
            $"select password_hash, must_change, session_stamp, failed_attempts, locked_until from {Table} where account_id = @id for update", connection, tx))
        {
            read.Parameters.AddWithValue("id", accountId);
            await using var reader = await read.ExecuteReaderAsync(ct);
            row = await reader.ReadAsync(ct)
                ? new Credentials(reader.GetString(0), reader.GetBoolean(1), reader.GetString(2), reader.GetInt32(3),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4))
                : null;
        }
        if (row is null)
        {
            Verifies(accountId, DecoyHash.Value, password);
            return new SignInOutcome(SignInResult.WrongNameOrPassword);
        }
        if (row.LockedUntil is { } until && until > now)
            return new SignInOutcome(SignInResult.LockedOut, LockedUntil: until);

        var verdict = Hasher.VerifyHashedPassword(accountId, row.Hash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var failures = row.FailedAttempts + 1;
            DateTimeOffset? lockedUntil = failures >= FailuresBeforeLockout ? now + Lockout : null;
            // The count starts again once the account is locked: after the lock-out, five more failures lock it again.
            await using (var update = new NpgsqlCommand(
                $"update {Table} set failed_attempts = @failures, locked_until = @locked where account_id = @id", connection, tx))
            {
                update.Parameters.AddWithValue("id", accountId);
                update.Parameters.AddWithValue("failures", lockedUntil is null ? failures : 0);
                update.Parameters.Add(new NpgsqlParameter("locked", NpgsqlDbType.TimestampTz) { Value = (object?)lockedUntil ?? DBNull.Value });
                await update.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            return lockedUntil is null
                ? new SignInOutcome(SignInResult.WrongNameOrPassword)
                : new SignInOutcome(SignInResult.LockedOut, LockedUntil: lockedUntil);
        }

        var state = await writer.LoadAsync<AccountState>(StreamKeys.Account(accountId), AccountState.Evolve, ct);
        if (state is null || state.Disabled)
            return new SignInOutcome(SignInResult.Disabled);
        await using (var update = new NpgsqlCommand(
            $"update {Table} set failed_attempts = 0, locked_until = null, last_sign_in = @now, password_hash = coalesce(@rehash, password_hash) where account_id = @id",
            connection, tx))
        {
            update.Parameters.AddWithValue("id", accountId);
            update.Parameters.AddWithValue("now", now);
            // A hash made with weaker settings than today's is made again while the password is at hand.
            var rehash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(accountId, password) : null;
            update.Parameters.Add(new NpgsqlParameter("rehash", NpgsqlDbType.Text) { Value = (object?)rehash ?? DBNull.Value });
            await update.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return new SignInOutcome(SignInResult.SignedIn, new AccountSession(accountId, state.Role, state.GovernmentId, row.Stamp, row.MustChange));
    }

    /// <summary>Whether the account exists, is enabled and has this password, changing nothing (no failure is counted).</summary>
    public async Task<bool> PasswordStandsAsync(string accountId, string password, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        if (await CredentialsAsync(accountId, ct) is not { } row || !Verifies(accountId, row.Hash, password)) return false;
        var state = await writer.LoadAsync<AccountState>(StreamKeys.Account(accountId), AccountState.Evolve, ct);
        return state is { Disabled: false };
    }

    /// <summary>The stamp an open session of the account must carry to go on; null for an account that does not exist.</summary>
    public async Task<string?> SessionStampAsync(string accountId, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        await using var command = db.CreateCommand($"select session_stamp from {Table} where account_id = @id");
        command.Parameters.AddWithValue("id", accountId);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>Every account, by name.</summary>
    public async Task<IReadOnlyList<AccountSummary>> ListAsync(CancellationToken ct) =>
        [.. (await HistoriesAsync(ct)).Select(h => h.Account)];

    /// <summary>Every account with the events of its life, by name.</summary>
    public async Task<IReadOnlyList<AccountHistory>> HistoriesAsync(CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        var rows = new Dictionary<string, (bool MustChange, DateTimeOffset? LockedUntil, DateTimeOffset? LastSignIn)>(StringComparer.Ordinal);
        await using (var command = db.CreateCommand($"select account_id, must_change, locked_until, last_sign_in from {Table}"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                rows[reader.GetString(0)] = (reader.GetBoolean(1),
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
            }
        }
        if (rows.Count == 0) return [];
        var keys = rows.Keys.Select(StreamKeys.Account).ToArray();
        await using var session = store.QuerySession();
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey!.IsOneOf(keys))
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct);
        var now = time.GetUtcNow();
        return [.. events.GroupBy(e => StreamKeys.IdOf(e.StreamKey!), StringComparer.Ordinal)
            .Where(g => rows.ContainsKey(g.Key))
            .Select(g =>
            {
                var state = g.Aggregate((AccountState?)null, (s, e) => AccountState.Evolve(s, e.Data))!;
                var row = rows[g.Key];
                var locked = row.LockedUntil is { } until && until > now ? until : (DateTimeOffset?)null;
                return new AccountHistory(
                    new AccountSummary(state.AccountId, state.Role, state.GovernmentId, state.Disabled, row.MustChange, locked, row.LastSignIn),
                    [.. g]);
            })
            .OrderBy(h => h.Account.AccountId, StringComparer.Ordinal)];
    }

    /// <summary>A password a person may choose: long enough to resist guessing, short enough to store.</summary>
    public static void CheckNewPassword(string? password, string field)
    {
        if (password is null || password.Length < MinimumPasswordLength)
            throw DomainException.Rule("password_too_short", $"A password has at least {MinimumPasswordLength} characters.", field);
        if (password.Length > MaximumPasswordLength)
            throw DomainException.Rule("password_too_long", $"A password has at most {MaximumPasswordLength} characters.", field);
    }

    public static RequestContext Context(Actor actor, string? formKey = null) =>
        new(actor, Activity.Current?.TraceId.ToString() ?? Guid.CreateVersion7().ToString(), null, formKey,
            formKey is null ? null : $"account {actor.Id}");

    private static string OneTimePassword() => RandomNumberGenerator.GetString(OneTimeAlphabet, 14);

    private static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static bool Verifies(string accountId, string hash, string password) =>
        Hasher.VerifyHashedPassword(accountId, hash, password) != PasswordVerificationResult.Failed;

    private AlongsideWrite EndSessions(string accountId) => (connection, tx, token) =>
        ExactlyOneRowAsync(connection, tx, $"update {Table} set session_stamp = @stamp where account_id = @id", token,
            ("id", accountId), ("stamp", NewStamp()));

    private async Task RequireGovernmentAsync(AccountRole role, string? governmentId, CancellationToken ct)
    {
        // A malformed code is the decider's to refuse; a well-formed one must name a registered government.
        if (role != AccountRole.Government || !AccountDecider.IsDivisionCode(governmentId)) return;
        var key = StreamKeys.Government(governmentId!);
        if (!(await writer.ExistingStreamsAsync([key], ct)).Contains(key))
            throw DomainException.NotFound("government_not_found", $"No government {governmentId} is registered.", "government");
    }

    private async Task<AccountSession> SessionOfAsync(string accountId, string stamp, bool mustChange, CancellationToken ct)
    {
        var state = await writer.LoadAsync<AccountState>(StreamKeys.Account(accountId), AccountState.Evolve, ct)
            ?? throw DomainException.NotFound("account_not_found", $"There is no account {accountId}.", "name");
        return new AccountSession(accountId, state.Role, state.GovernmentId, stamp, mustChange);
    }

    private async Task<Credentials?> CredentialsAsync(string accountId, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select password_hash, must_change, session_stamp, failed_attempts, locked_until from {Table} where account_id = @id");
        command.Parameters.AddWithValue("id", accountId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new Credentials(reader.GetString(0), reader.GetBoolean(1), reader.GetString(2), reader.GetInt32(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4));
    }

    // The table's row must change with the events: a missing row refuses the whole commit.
    private static async Task ExactlyOneRowAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        var changed = await command.ExecuteNonQueryAsync(ct);
        if (changed != 1)
            throw DomainException.Conflict("account_changed_meanwhile", "The account's password changed meanwhile; nothing was written.");
    }

    private sealed record Credentials(string Hash, bool MustChange, string Stamp, int FailedAttempts, DateTimeOffset? LockedUntil);
}
