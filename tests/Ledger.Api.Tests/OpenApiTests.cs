using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ledger.Api.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>
/// The OpenAPI document describes the API the host actually serves: every endpoint under /api, the
/// bearer scheme on the ones that need a token, and the problems a write can answer.
/// </summary>
public sealed partial class OpenApiTests(LedgerHost host) : IClassFixture<LedgerHost>
{
    [Fact]
    public async Task Every_api_endpoint_the_host_serves_is_in_the_document()
    {
        var paths = await PathsAsync();
        var served = ServedEndpoints();

        var missing = served.Where(e => !paths.TryGetValue(e.Path, out var item) || item[e.Method] is null)
            .Select(e => $"{e.Method.ToUpperInvariant()} {e.Path}").ToList();

        Assert.True(served.Count >= 26, $"only {served.Count} endpoints under /api were found");
        Assert.Empty(missing);
    }

    [Fact]
    public async Task The_document_declares_the_bearer_scheme_on_exactly_the_operations_that_need_a_token()
    {
        var document = await DocumentAsync();
        var paths = await PathsAsync();

        var scheme = document["components"]?["securitySchemes"]?["Bearer"];
        Assert.NotNull(scheme);
        Assert.Equal("http", (string?)scheme["type"]);
        Assert.Equal("bearer", (string?)scheme["scheme"]);
        Assert.Equal("JWT", (string?)scheme["bearerFormat"]);

        var wrong = ServedEndpoints()
            .Where(e => paths.TryGetValue(e.Path, out var item) && item[e.Method] is { } operation
                && e.RequiresToken != (operation["security"]?.AsArray().Any(r => r?["Bearer"] is not null) == true))
            .Select(e => $"{e.Method.ToUpperInvariant()} {e.Path} (requires a token: {e.RequiresToken})").ToList();
        Assert.Empty(wrong);
        Assert.Contains(ServedEndpoints(), e => e.RequiresToken);
    }

    [Fact]
    public async Task Writes_declare_their_created_response_and_the_problems_they_can_answer()
    {
        var document = await DocumentAsync();
        string[] features = ["/api/governments", "/api/agreements", "/api/commitments"];
        var writes = Operations(document).Where(o => o.Method == "post" && features.Any(f => o.Path.StartsWith(f, StringComparison.Ordinal))).ToList();

        Assert.Equal(25, writes.Count);
        Assert.All(writes, write =>
        {
            var responses = write.Operation["responses"]!.AsObject();
            Assert.True(responses.ContainsKey("201"), $"{write.Path} declares no 201");
            foreach (var status in new[] { "400", "401", "403", "404", "409", "412", "422", "429" })
                Assert.True(responses[status]?["content"]?["application/problem+json"] is not null, $"POST {write.Path} does not declare a {status} problem");
        });
        Assert.NotNull(document["components"]?["schemas"]?["ProblemDetails"]?["properties"]?["code"]);
        var register = document["paths"]!["/api/governments"]?["post"] ?? document["paths"]!["/api/governments/"]!["post"]!;
        Assert.Equal("RegisterGovernment", (string?)register["operationId"]);
        Assert.False(string.IsNullOrEmpty((string?)register["summary"]));
        Assert.Contains(register["parameters"]!.AsArray(), p => (string?)p!["name"] == "If-Match" && (string?)p["in"] == "header");
    }

    [Fact]
    public async Task The_document_and_the_reference_UI_are_served_without_a_token()
    {
        var anonymous = host.Anonymous();

        var document = await anonymous.GetAsync("/openapi/v1.json");
        var ui = await anonymous.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal("application/json", document.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Equal("text/html", ui.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await ui.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private List<(string Method, string Path, bool RequiresToken)> ServedEndpoints() =>
        host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["(any)"]).Select(method => (
                Method: method.ToLowerInvariant(),
                Path: Normalize(e.RoutePattern.RawText!),
                RequiresToken: e.Metadata.GetMetadata<IAuthorizeData>() is not null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)))
            .ToList();

    [Theory]
    [InlineData("ListGovernments", "province,prefecture,level", "governmentId,nameEn")]
    [InlineData("ListAgreements", "taskArea,status,government,period", "agreementId,termStart,termEnd")]
    [InlineData("ListCommitments", "agreement,government,status,period", "commitmentId,agreementId,deadline")]
    public async Task A_list_declares_its_filters_sorts_paging_the_page_it_answers_and_its_refusals(string operationId, string filters, string sorts)
    {
        var document = await DocumentAsync();
        var operation = Operations(document).Single(o => (string?)o.Operation["operationId"] == operationId).Operation;

        var parameters = operation["parameters"]!.AsArray().Where(p => (string?)p!["in"] == "query").ToDictionary(p => (string)p!["name"]!, p => p!);
        Assert.Equal([.. filters.Split(','), "sort", "limit", "cursor"], parameters.Keys);
        Assert.Equal(sorts.Split(',').SelectMany(s => new[] { s, "-" + s }), parameters["sort"]["schema"]!["enum"]!.AsArray().Select(v => (string?)v));
        Assert.Equal(200, (int)decimal.Parse((string)parameters["limit"]["schema"]!["maximum"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture));
        var page = Resolve(document, operation["responses"]!["200"]!["content"]!["application/json"]!["schema"]!);
        Assert.Equal(["items", "next", "freshness"], page["properties"]!.AsObject().Select(p => p.Key));
        foreach (var status in new[] { "400", "422" })
            Assert.NotNull(operation["responses"]![status]?["content"]?["application/problem+json"]);
    }

    private static JsonNode Resolve(JsonNode document, JsonNode schema) =>
        (string?)schema["$ref"] is { } reference
            ? document["components"]!["schemas"]![reference.Split('/')[^1]]!
            : schema;

    private async Task<JsonNode> DocumentAsync()
    {
        var response = await host.Anonymous().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync();
    }

    private async Task<Dictionary<string, JsonNode>> PathsAsync() =>
        (await DocumentAsync())["paths"]!.AsObject().ToDictionary(p => Normalize(p.Key), p => p.Value!, StringComparer.Ordinal);

    private static IEnumerable<(string Method, string Path, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(op => op.Key is "get" or "post" or "put" or "patch" or "delete")
            .Select(op => (op.Key, path.Key, op.Value!)));

    // "/api/governments/" and "{id:guid}" as the document writes them: "/api/governments", "{id}".
    private static string Normalize(string path)
    {
        var normalized = Constraint().Replace(path, "{$1}");
        return normalized.Length > 1 ? normalized.TrimEnd('/') : normalized;
    }

    [GeneratedRegex(@"\{\*?([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex Constraint();
}
