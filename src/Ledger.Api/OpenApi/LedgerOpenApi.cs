using Ledger.Api.Audit;
using Ledger.Api.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Ledger.Api.OpenApi;

/// <summary>
/// The OpenAPI document at /openapi/v1.json and its browsable reference at /scalar, both open to
/// anyone: the document describes the API, it grants nothing.
/// </summary>
public static class LedgerOpenApi
{
    public const string BearerScheme = "Bearer";

    public static IServiceCollection AddLedgerOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<BearerSecurityTransformer>();
            o.AddOperationTransformer<BearerSecurityTransformer>();
            o.AddOperationTransformer<WriteHeadersTransformer>();
            o.AddOperationTransformer<ReplayOperationTransformer>();
            o.AddOperationTransformer<ListParametersTransformer>();
            o.AddSchemaTransformer(ProblemFields);
        });

    // Every problem carries a stable code (and, where one input is at fault, its field): see ProblemMapping.
    private static Task ProblemFields(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (context.JsonTypeInfo.Type != typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))
            return Task.CompletedTask;
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        schema.Properties["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A stable, machine-readable reason, e.g. version_conflict or rate_limited." };
        schema.Properties["field"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "The input at fault, when there is one (a JSON path or a header name)." };
        return Task.CompletedTask;
    }

    public static IEndpointRouteBuilder MapLedgerOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi().AllowAnonymous();
        // Government networks are often closed, so the reference loads nothing from outside the host:
        // its script bundle is the one embedded in the package and served under /scalar (the
        // default), its fonts are the browser's own instead of a font CDN's, and the parts that talk
        // to the vendor's services (telemetry, the AI chat, the developer toolbar's share and deploy)
        // are off. tests/Ledger.Browser.Tests fails on any request that leaves the host.
        app.MapScalarApiReference(o => o
                .WithTitle("Ledger API")
                .AddPreferredSecuritySchemes([BearerScheme])
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .HideDeveloperTools())
            .AllowAnonymous();
        return app;
    }
}

/// <summary>
/// Declares the JWT bearer scheme and puts it on every operation that requires authorization, so
/// that clients and the reference UI know which calls need a token.
/// </summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Ledger API",
            Version = "v1",
            Description = "An append-only ledger of inter-governmental agreements and the commitments made under them: "
                + "who promised what, what was reported, what evidence was attached and how it was verified. "
                + "Every write is an event; reads are projections of those events. Writes take If-Match (the stream "
                + "version, answered 412 when stale) and Idempotency-Key (a retry with the same key and body is answered "
                + "from the first request). Errors are RFC 9457 problem+json with a stable `code`.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes[LedgerOpenApi.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            In = ParameterLocation.Header,
            Description = "A JWT naming the caller (`sub`), a ledger role (`ledger_role`) and, for the government role, "
                + "the government it acts for (`ledger_government`). `ledger token` issues one for local use.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any())
            return Task.CompletedTask;
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(LedgerOpenApi.BearerScheme, context.Document)] = [],
        });
        return Task.CompletedTask;
    }
}

/// <summary>The headers every write reads (see <see cref="RequestEnvelope"/> and <see cref="StreamVersions"/>).</summary>
internal sealed class WriteHeadersTransformer : IOpenApiOperationTransformer
{
    private static readonly (string Name, string Description)[] Headers =
    [
        ("If-Match", "The stream version the write expects, as a strong ETag (e.g. \"3\"); a stale one is answered 412."),
        (RequestEnvelope.IdempotencyKeyHeader, "Makes a retry safe: the same key with the same body is answered from the first request; with a different body, 422."),
        (RequestEnvelope.CorrelationHeader, "Stored on the events as their correlation id (defaults to the trace id)."),
        (RequestEnvelope.CausationHeader, "Stored on the events as their causation id."),
    ];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(context.Description.HttpMethod ?? ""))
            return Task.CompletedTask;
        operation.Parameters ??= [];
        foreach (var (name, description) in Headers)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Header,
                Required = false,
                Description = description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
            });
        }
        return Task.CompletedTask;
    }
}
