using System.Diagnostics;
using Ledger.Infrastructure.Resilience;
using Marten;
using Marten.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Infrastructure.Telemetry;

/// <summary>
/// Marten's session logger, in place of its default one. The default writes a failed batch at Error once
/// for every statement in it, each with its SQL, parameters and PostgreSQL's full report, and then once
/// more for the session: a writer losing the expected-version race (MT003), an outcome the write path
/// answers by deciding again, wrote three Error entries of about 3 KB each, and a contended burst of 16
/// reports on one commitment 0.7 to 0.9 MB (LoggingTests measures it). This one writes each failure
/// once, by what it is (<see cref="FailureLog"/>):
/// <list type="bullet">
/// <item>expected (a version conflict, a duplicate stream or idempotency key; the client sees 201, 409
/// or 412): one line at Debug, without SQL;</item>
/// <item>a batch the group commit makes again append by append: one line at Debug, the appends'
/// own commits say how each ended;</item>
/// <item>PostgreSQL unreachable, or a transaction it rolled back for a reason that may pass (class 40,
/// which the write path replays): one line at Warning;</item>
/// <item>anything else: at Error, with PostgreSQL's code and message (and its report of where), the
/// trace id and the stack trace; no parameters, which carry what users wrote.</item>
/// </list>
/// Statements that succeed are written at Debug, as Marten does. The category stays Marten's
/// (<c>Marten.IDocumentStore</c>), so its level in the configuration still applies.
/// </summary>
public sealed partial class StoreLog(ILogger logger) : IMartenLogger, IMartenSessionLogger
{
    private static readonly AsyncLocal<bool> RetriedAlone = new();

    /// <summary>
    /// For the duration of the returned scope, a refusal is made again append by append by the caller
    /// (group commit), which logs how each of those ended: the batch's own failure is only a Debug line.
    /// </summary>
    public static IDisposable AppendsRetriedAlone()
    {
        RetriedAlone.Value = true;
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        public void Dispose() => RetriedAlone.Value = false;
    }

    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => LogSchemaChange(logger, sql);

    public void OnBeforeExecute(NpgsqlCommand command)
    {
    }

    public void OnBeforeExecute(NpgsqlBatch batch)
    {
    }

    public void LogSuccess(NpgsqlCommand command)
    {
        if (logger.IsEnabled(LogLevel.Debug)) LogExecuted(logger, command.CommandText);
    }

    public void LogSuccess(NpgsqlBatch batch)
    {
        if (!logger.IsEnabled(LogLevel.Debug)) return;
        foreach (var command in batch.BatchCommands) LogExecuted(logger, command.CommandText);
    }

    public void LogFailure(NpgsqlCommand command, Exception ex) => Failed(ex, command.CommandText, 1);

    public void LogFailure(NpgsqlBatch batch, Exception ex) =>
        Failed(ex, (ex as PostgresException)?.BatchCommand?.CommandText ?? "", batch.BatchCommands.Count);

    public void LogFailure(Exception ex, string message) => Failed(ex, "", 0, message);

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit)
    {
    }

    private void Failed(Exception ex, string statement, int statements, string? context = null)
    {
        context = context is null ? "" : $" ({context})";
        // Marten reports a failed batch, then the same failure (wrapped) for the session: once is enough.
        if (FailureLog.IsLogged(ex)) return;
        FailureLog.MarkLogged(ex);
        var trace = Activity.Current?.TraceId.ToString() ?? "none";
        var error = FailureLog.Describe(ex);
        if (FailureLog.IsExpected(ex))
            LogExpected(logger, error, trace);
        else if (RetriedAlone.Value && DatabaseFailures.IsRefusal(ex))
            LogRetriedAlone(logger, statements, error, trace);
        else if (DatabaseFailures.IsUnavailable(ex) || DatabaseFailures.FindRefusal(ex)?.SqlState.StartsWith("40", StringComparison.Ordinal) == true)
            LogTransient(logger, error, trace);
        else
            LogFailed(logger, error, context, trace, string.IsNullOrEmpty(statement) ? "" : "; statement: " + statement, ex);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Executed schema update SQL:\n{Sql}")]
    private static partial void LogSchemaChange(ILogger logger, string sql);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Executed: {Sql}", SkipEnabledCheck = true)]
    private static partial void LogExecuted(ILogger logger, string sql);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Commit refused as the write path expects, which decides again or answers the client: {Error} (trace {TraceId})")]
    private static partial void LogExpected(ILogger logger, string error, string traceId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A batch of {Statements} statements was refused and its appends are committed again one by one: {Error} (trace {TraceId})")]
    private static partial void LogRetriedAlone(ILogger logger, int statements, string error, string traceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database call failed, for a reason that may pass: {Error} (trace {TraceId})")]
    private static partial void LogTransient(ILogger logger, string error, string traceId);

    // The statement when Npgsql names the one of the batch that failed; PostgreSQL's own report (in the
    // exception's data) says where inside a function it failed.
    [LoggerMessage(Level = LogLevel.Error, Message = "Database call failed: {Error}{Context} (trace {TraceId}){Statement}")]
    private static partial void LogFailed(ILogger logger, string error, string context, string traceId, string statement, Exception exception);
}

public static class StoreLogServices
{
    /// <summary>
    /// Puts <see cref="StoreLog"/> in place of Marten's default session logger once the store is built.
    /// Not in the store's options: Marten hands its logger factory to Npgsql and to its own services only
    /// when it installs its default logger itself, and its sessions ask the options for the logger as
    /// they open.
    /// </summary>
    public static IServiceCollection AddStoreLog(this IServiceCollection services)
    {
        var built = services.LastOrDefault(d => d.ServiceType == typeof(IDocumentStore) && d.ImplementationFactory is not null)
            ?? throw new InvalidOperationException("AddStoreLog goes after AddMarten.");
        services.Remove(built);
        services.AddSingleton<IDocumentStore>(sp =>
        {
            var store = (IDocumentStore)built.ImplementationFactory!(sp);
            var log = new StoreLog(sp.GetRequiredService<ILoggerFactory>().CreateLogger<IDocumentStore>());
            ((StoreOptions)store.Options).Logger(log);
            return store;
        });
        return services;
    }
}
