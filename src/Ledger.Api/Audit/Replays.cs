using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Api.Audit;

/// <summary>
/// Marks an endpoint as a replay: a read of the past (an event history, a record or view as it was, a
/// diff, an OCDS record built from the events) that the access log must hold to account. The mark is
/// the one place that decides: the access-log middleware records exactly the marked endpoints, and the
/// OpenAPI document carries it as <c>x-ledger-replay: true</c> on the operation.
/// </summary>
public sealed class ReplayMetadata
{
    public static readonly ReplayMetadata Instance = new();

    private ReplayMetadata()
    {
    }
}

public static class Replays
{
    public const string OpenApiExtension = "x-ledger-replay";

    /// <summary>Records every call of the endpoint (or of every endpoint in the group) in the access log.</summary>
    public static TBuilder IsReplay<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ReplayMetadata.Instance);

    public static bool IsReplay(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<ReplayMetadata>() is not null;
}

/// <summary>Writes the replay mark into the document, so a client (and the test that walks them) can see which reads are logged.</summary>
internal sealed class ReplayOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<ReplayMetadata>().Any())
            return Task.CompletedTask;
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal);
        operation.Extensions[Replays.OpenApiExtension] = new JsonNodeExtension(true);
        return Task.CompletedTask;
    }
}
