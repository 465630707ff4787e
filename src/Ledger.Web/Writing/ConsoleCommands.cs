using System.Diagnostics;
using Ledger.Domain;
using Ledger.Infrastructure.Writing;
using Ledger.Web.Signing;
using Microsoft.AspNetCore.Http;

namespace Ledger.Web.Writing;

/// <summary>What became of a form: appended (or found appended before under the same form key), or refused with the field at fault.</summary>
public sealed record FormOutcome(AppendResult? Appended, string? Code, string? Field, string? Detail)
{
    public bool Succeeded => Appended is not null;

    public static FormOutcome Done(AppendResult result) => new(result, null, null, null);

    public static FormOutcome Refused(string code, string? field, string? detail) => new(null, code, field, detail);
}

/// <summary>
/// The console's writes: the same deciders and the same writer as the API, with the signed-in person
/// as the actor and <c>Now</c> from the host's clock. Each form carries a key of its own
/// (<see cref="NewFormKey"/>) sent as the idempotency key, so a double click or a resubmitted form
/// appends once and answers the first result again.
/// </summary>
public sealed class ConsoleCommands(LedgerWriter writer, TimeProvider time, IHttpContextAccessor accessor)
{
    public delegate IReadOnlyList<object> Decision<in TState>(TState? state, Actor actor, DateTimeOffset now);

    public static string NewFormKey() => "console-" + Guid.CreateVersion7().ToString("N");

    public DateTimeOffset Now => time.GetUtcNow();

    public Actor Actor =>
        ConsoleSignIn.Actor(accessor.HttpContext?.User ?? throw new InvalidOperationException("no request"))
        ?? throw new UnauthorizedAccessException("The session names no ledger role.");

    public Task<TState?> LoadAsync<TState>(string streamKey, Func<TState?, object, TState?> evolve, CancellationToken ct) where TState : class =>
        writer.LoadAsync(streamKey, evolve, ct);

    // form: the form's name, so a key reused by another form is refused, not replayed; formKey: the key
    // the form was rendered with, checked to be one this console issues.
    public async Task<FormOutcome> ExecuteAsync<TState>(
        string streamKey, Func<TState?, object, TState?> evolve, Decision<TState> decide, string form, string? formKey, CancellationToken ct)
        where TState : class
    {
        if (formKey is null || !formKey.StartsWith("console-", StringComparison.Ordinal) || formKey.Length > 80 || formKey.Any(char.IsControl))
            return FormOutcome.Refused("form_expired", null, null);
        var actor = Actor;
        var now = Now;
        var correlation = Activity.Current?.TraceId.ToString() ?? Guid.CreateVersion7().ToString();
        var context = new RequestContext(actor, correlation, null, formKey, $"console {form} {streamKey}");
        try
        {
            return FormOutcome.Done(await writer.ExecuteAsync(streamKey, null, evolve, s => decide(s, actor, now), context, ct));
        }
        catch (DomainException refused)
        {
            return FormOutcome.Refused(refused.Code, refused.Field, refused.Message);
        }
        catch (IdempotencyKeyReused)
        {
            return FormOutcome.Refused("form_expired", null, null);
        }
    }
}
