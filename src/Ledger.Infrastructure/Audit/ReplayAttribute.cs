using Microsoft.AspNetCore.Http;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// Marks an endpoint as a replay: a read of the past (an event history, a record or view as it was, a
/// diff, an OCDS record built from the events, an event's proof with its content) that the access log
/// must hold to account. The mark is the one place that decides, for the API's endpoints and the
/// console's pages alike: the access-log middleware records exactly the marked endpoints, and the
/// OpenAPI document carries it as <c>x-ledger-replay: true</c> on the operation. A console page is
/// marked with <c>@attribute [Replay]</c> (a page's attributes become its endpoint's metadata).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = false)]
public sealed class ReplayAttribute : Attribute
{
    public static readonly ReplayAttribute Instance = new();

    public static bool IsOn(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<ReplayAttribute>() is not null;
}
