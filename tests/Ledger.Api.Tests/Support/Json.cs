using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ledger.Api.Tests.Support;

public static class Json
{
    public static StringContent Body(object value) =>
        new(JsonSerializer.Serialize(value, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");

    public static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>GETs <paramref name="path"/> as <paramref name="role"/>, requires a success, and returns the JSON.</summary>
    public static async Task<JsonNode> GetJsonAsync(this LedgerHost host, string path, string role = "auditor")
    {
        using var client = host.Client(role);
        using var response = await client.GetAsync(path);
        Xunit.Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.ReadAsync();
    }

    /// <summary>
    /// Every item of a paged list (<c>{items, next, freshness}</c>), walking its pages of 200 with the
    /// cursor; <paramref name="path"/> may carry filters and a sort.
    /// </summary>
    public static async Task<JsonArray> ListAllAsync(this LedgerHost host, string path, string role = "auditor")
    {
        var items = new JsonArray();
        var separator = path.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        string? cursor = null;
        do
        {
            var page = await host.GetJsonAsync($"{path}{separator}limit=200" + (cursor is null ? "" : "&cursor=" + cursor), role);
            foreach (var item in page["items"]!.AsArray().ToList())
                items.Add(item!.DeepClone());
            cursor = (string?)page["next"];
        }
        while (cursor is not null);
        return items;
    }

    /// <summary>
    /// A commitment's field history, every page of GET /api/audit/commitments/{id}/history read and grouped
    /// by field: <c>{ field: [{value, version, at, event}, …] }</c>, each field's versions in stream order.
    /// </summary>
    public static async Task<JsonObject> FieldHistoryAsync(this LedgerHost host, string commitmentId, string role = "auditor")
    {
        var fields = new JsonObject();
        long? after = 0;
        while (after is not null)
        {
            var page = await host.GetJsonAsync($"/api/audit/commitments/{Uri.EscapeDataString(commitmentId)}/history?after={after}", role);
            foreach (var item in page["items"]!.AsArray())
            {
                var field = (string)item!["field"]!;
                if (fields[field] is not JsonArray versions) fields[field] = versions = [];
                versions.Add(new JsonObject { ["value"] = item["value"]?.DeepClone(), ["version"] = (long)item["version"]!, ["at"] = (string?)item["at"], ["event"] = (string?)item["event"] });
            }
            after = (long?)page["next"];
        }
        return fields;
    }

    public static async Task<JsonNode> ReadAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("empty body");

    /// <summary>Asserts a problem+json answer with this status, code and field (null: no field), and returns it.</summary>
    public static async Task<JsonNode> AssertProblemAsync(this HttpResponseMessage response, System.Net.HttpStatusCode status, string code, string? field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Xunit.Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Xunit.Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text) ?? throw new InvalidOperationException("empty body");
        Xunit.Assert.Equal(code, (string?)problem["code"]);
        Xunit.Assert.Equal(field, (string?)problem["field"]);
        return problem;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        client.PostAsync(path, Body(body));

    public static Task<T?> GetJsonAsync<T>(this HttpClient client, string path) => client.GetFromJsonAsync<T>(path);
}
