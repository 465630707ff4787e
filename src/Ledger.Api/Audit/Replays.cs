using Ledger.Infrastructure.Audit;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Api.Audit;

/// <summary>The API's side of <see cref="ReplayAttribute"/>: marking an endpoint (or a group) and finding the mark.</summary>
public static class Replays
{
    public const string OpenApiExtension = "x-ledger-replay";

    /// <summary>Records every call of the endpoint (or of every endpoint in the group) in the access log.</summary>
    public static TBuilder IsReplay<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ReplayAttribute.Instance);

    public static bool IsReplay(Endpoint? endpoint) => ReplayAttribute.IsOn(endpoint);
}

/// <summary>Writes the replay mark into the document, so a client (and the test that walks them) can see which reads are logged.</summary>
internal sealed class ReplayOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<ReplayAttribute>().Any())
            return Task.CompletedTask;
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal);
        operation.Extensions[Replays.OpenApiExtension] = new JsonNodeExtension(true);
        return Task.CompletedTask;
    }
}
