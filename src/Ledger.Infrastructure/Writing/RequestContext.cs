using Ledger.Domain;
using Npgsql;

namespace Ledger.Infrastructure.Writing;

/// <summary>
/// The envelope every appended event carries: who acted, in which role and for which government,
/// the correlation and causation ids, and the client's idempotency key when one was sent.
/// </summary>
public sealed record RequestContext(
    Actor Actor,
    string CorrelationId,
    string? CausationId = null,
    string? IdempotencyKey = null,
    string? RequestHash = null);

/// <summary>The names of the envelope's headers as stored with each event.</summary>
public static class EnvelopeHeaders
{
    public const string ActorRole = "actor-role";
    public const string ActorGovernment = "actor-government";
    public const string IdempotencyKey = "idempotency-key";
}

/// <summary>
/// A write to another table of the ledger's schema that must land with a decision's events or not at
/// all (an account's password beside the account's events): run on the append's own transaction, only
/// when the decision appended something, and made again whenever the append is. It throws to refuse
/// the whole commit.
/// </summary>
public delegate Task AlongsideWrite(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct);
