using System.Text.Json.Nodes;
using Ledger.Projections.Querying;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Api.OpenApi;

/// <summary>A list's own filters and sort keys, on its endpoint, so that the document shows what it takes.</summary>
public sealed record ListQueryMetadata(IReadOnlyList<string> Filters, IReadOnlyList<string> Sorts);

public static class ListParameters
{
    /// <summary>
    /// Declares a paged list: its filters, the sort keys, limit and cursor every list takes (checked by
    /// <see cref="ViewQuery"/>), and the problems a refused one answers (400 malformed, 422 not allowed).
    /// </summary>
    public static RouteHandlerBuilder AsList<T>(this RouteHandlerBuilder endpoint, IReadOnlyList<string> filters, IReadOnlyList<SortKey<T>> sorts)
        where T : notnull =>
        endpoint.WithMetadata(new ListQueryMetadata(filters, [.. sorts.Select(s => s.Name)]))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}

/// <summary>Writes a list's query parameters into its operation (see <see cref="ListParameters.AsList"/>).</summary>
internal sealed class ListParametersTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ListQueryMetadata>().FirstOrDefault() is not { } list)
            return Task.CompletedTask;
        operation.Parameters ??= [];
        foreach (var filter in list.Filters)
            Add(operation, filter, "A filter of this list (an exact value; `period` is a year, a quarter such as 2024-Q2, or a month such as 2024-06).",
                new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 100 });
        Add(operation, ViewRequest.SortName, $"The sort key, `-` before it for descending order (default {list.Sorts[0]}).",
            new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. list.Sorts.SelectMany(s => new[] { s, "-" + s }).Select(s => (JsonNode)JsonValue.Create(s))] });
        Add(operation, ViewRequest.LimitName, $"Items per page, 1–{ViewQuery.MaxLimit} (default {ViewQuery.DefaultLimit}).",
            new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = ViewQuery.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Add(operation, ViewRequest.CursorName, "The previous page's `next`, for the same sort.",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = ViewQuery.MaxCursorLength });
        return Task.CompletedTask;
    }

    private static void Add(OpenApiOperation operation, string name, string description, OpenApiSchema schema)
    {
        operation.Parameters!.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Query, Required = false, Description = description, Schema = schema });
    }
}
