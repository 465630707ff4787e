using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsCheck;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Api.Tests;

/// <summary>
/// Issue 14, item 7: for every operation in the OpenAPI document the host serves, generated hostile
/// requests — one body field at a time given a wrong type, null, nothing, a huge or deeply nested
/// value, control characters, lone surrogates, numbers out of range; bodies that are not UTF-8, not
/// JSON or over the limit; path segments and query strings of junk; forged and misused tokens — never
/// answer 500 or a stack trace, answer every refusal with problem+json, and leave the ledger as it was
/// when they are refused. The run's size and answers go to the test output and to
/// artifacts/hostile-input.json. A failure names the operation and prints CsCheck's seed: run again
/// with <c>CsCheck_Seed=…</c> and <c>LEDGER_HOSTILE_OPERATION="POST /api/…"</c> to replay it.
/// </summary>
public sealed partial class HostileInputTests(LedgerHost host, ITestOutputHelper output) : IClassFixture<LedgerHost>, IAsyncLifetime
{
    /// <summary>Cases per operation in the suite (about 60 operations); <c>LEDGER_HOSTILE_CASES</c> asks for more.</summary>
    private static readonly int CasesPerOperation =
        int.TryParse(Environment.GetEnvironmentVariable("LEDGER_HOSTILE_CASES"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 100;

    private static readonly string[] StackTraceMarkers =
        [" at Ledger.", " at System.", " at Microsoft.", " at Marten.", " at Npgsql.", "Exception:", "Exception (0x", "StackTrace", "--- End of", "   at "];

    private readonly HttpClient _client = NewClient(host);

    public async Task InitializeAsync()
    {
        if ((await host.Client("auditor").GetAsync($"/api/agreements/{PilotZone.Agreement}")).StatusCode != HttpStatusCode.NotFound) return;
        await PilotZone.RegisterGovernmentsAsync(host);
        await PilotZone.ActivateAgreementAsync(host);
        await PilotZone.ActiveCommitmentAsync(host);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Generated_hostile_requests_to_every_operation_never_answer_500_or_a_trace_and_a_refusal_changes_nothing()
    {
        var document = await host.Anonymous().GetFromJsonNodeAsync("/openapi/v1.json");
        var only = Environment.GetEnvironmentVariable("LEDGER_HOSTILE_OPERATION");
        var operations = ApiOperation.All(document).Where(o => only is null || o.Name == only).ToList();
        Assert.True(only is not null || operations.Count >= 26, $"only {operations.Count} operations in the document");

        var tally = new Tally();
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < operations.Count; i++)
        {
            var operation = operations[i];
            try
            {
                var target = await TargetAsync(document, operation, i);
                await Cases(operation, target).SampleAsync(c => CheckAsync(Build(operation, target, c), operation.Name, tally),
                    iter: CasesPerOperation, threads: 1, print: c => $"{operation.Name} {c}");
            }
            catch (Exception e)
            {
                failures.Add($"{operation.Name}: {e.Message}\n{e.InnerException?.Message}");
            }
        }
        clock.Stop();

        var summary = tally.Write(operations.Count, CasesPerOperation, clock.Elapsed);
        output.WriteLine(summary);
        Assert.True(failures.Count == 0, $"{failures.Count} operation(s) failed:\n\n" + string.Join("\n\n", failures));
    }

    [Fact]
    public async Task A_valid_government_token_for_another_county_writing_to_a_commitment_it_does_not_lead_is_refused_403_and_changes_nothing()
    {
        var document = await host.Anonymous().GetFromJsonNodeAsync("/openapi/v1.json");
        var writes = ApiOperation.All(document)
            .Where(o => o.Method == "post" && o.Path.StartsWith("/api/commitments/{commitmentId}/", StringComparison.Ordinal)).ToList();
        Assert.True(writes.Count >= 10, $"only {writes.Count} commitment writes");

        var tally = new Tally();
        for (var i = 0; i < writes.Count; i++)
        {
            var target = await TargetAsync(document, writes[i], 100 + i);
            var request = Build(writes[i], target, new Case(Kind.Valid, Auth.OtherCounty, 0, 0));
            var status = await CheckAsync(request, writes[i].Name, tally);
            // Liling neither leads nor contributes: whatever the step, the token's county may not take it.
            Assert.True(status == 403 || (status is 400 or 404 && !Known(writes[i])), $"{request}: {status}");
        }
    }

    // ---- cases the generator found, kept as they were sent ----

    [Theory]
    // The form reader threw InvalidDataException (a value decoding to U+0000) and IOException (a multipart
    // body whose boundary never closes) out of the U+0000 check: 500 with a logged stack trace.
    [InlineData("/api/governments", "admin", "application/x-www-form-urlencoded", "a=1&b=%00&c")]
    [InlineData("/api/governments", "admin", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--y--")]
    [InlineData("/api/agreements/xgb-2021-a01/signatures", "government", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--y--")]
    public async Task A_form_the_framework_cannot_read_is_refused_400_malformed_form(string path, string role, string contentType, string body)
    {
        var request = new HostileRequest
        {
            Method = "post", PathAndQuery = path, Body = Encoding.UTF8.GetBytes(body), ContentType = contentType, What = "regression",
            Authorization = Token(role == "admin" ? Auth.Admin : Auth.Liuyang),
        };

        Assert.Equal(400, await CheckAsync(request, path, new Tally()));
    }

    [Fact]
    public async Task A_lone_surrogate_escape_beside_U_0000_is_refused_400_not_500()
    {
        // The U+0000 check read the string to name its field and the reader threw InvalidOperationException on the surrogate.
        var request = new HostileRequest
        {
            Method = "post", PathAndQuery = $"/api/commitments/{PilotZone.Commitment}/progress", What = "regression", Authorization = Token(Auth.Liuyang),
            Body = Encoding.UTF8.GetBytes("{\"reportId\":\"\\ud800\\u0000\",\"period\":\"2024\",\"asOf\":\"2024-12-31\",\"values\":[],\"narrative\":\"n\"}"),
        };

        Assert.Equal(400, await CheckAsync(request, request.PathAndQuery, new Tally()));
    }

    [Theory]
    // The access log buffers a replay's answer and set its Content-Length, 0 for a refusal the
    // authorization middleware leaves empty, so the status-code page wrote nothing: a bare 403.
    [InlineData("/api/audit/views/overdue", "government")]
    [InlineData("/api/governments/430181/events", "unknown role")]
    public async Task A_replay_refused_by_authorization_is_answered_403_problem_json(string path, string who)
    {
        var request = new HostileRequest
        {
            Method = "get", PathAndQuery = path, What = "regression", Authorization = Token(who == "government" ? Auth.Liuyang : Auth.UnknownRole),
        };

        Assert.Equal(403, await CheckAsync(request, path, new Tally()));
    }

    [Theory]
    // A client accepting only XML: the framework's problem writer declined it, so 401 and 403 came as
    // text/plain and a 404 from a handler became a 500 (the exception handler will not leave a 404 unwritten).
    [InlineData("get", "/api/supervision/governments", "none", 401)]
    [InlineData("post", "/api/commitments/a01-water-class-iii/activation", "decision", 403)]
    [InlineData("post", "/api/commitments/a01-water-class-iii/escalations/no-such-escalation/decision", "supervisor", 404)]
    [InlineData("get", "/api/evaluations/no-such-cycle", "supervisor", 404)]
    public async Task A_client_that_accepts_only_XML_is_still_refused_with_problem_json(string method, string path, string who, int status)
    {
        var request = new HostileRequest
        {
            Method = method, PathAndQuery = path, What = "regression",
            Body = method == "post" ? "{\"decisionReference\":\"ref-1\",\"decision\":\"Upheld\"}"u8.ToArray() : null,
            Authorization = Token(who switch { "none" => Auth.None, "decision" => Auth.Decision, _ => Auth.Supervisor }),
        };
        request.Headers.Add(("Accept", "application/xml"));

        Assert.Equal(status, await CheckAsync(request, path, new Tally()));
    }

    [Theory]
    // Nullable annotations are checked on properties, not on a list's elements: a null element reached
    // the handler, which dereferenced it (a 500 on POST /api/agreements with "parties[1]": null).
    [InlineData("/api/agreements", "parties", 1, "parties[1]")]
    [InlineData("/api/agreements", "legalBasis", 0, "legalBasis[0]")]
    [InlineData("/api/commitments", "contributors", 0, "contributors[0]")]
    [InlineData("/api/commitments", "indicators", 1, "indicators[1]")]
    public async Task A_null_element_in_a_list_is_refused_400_naming_it(string path, string list, int index, string field)
    {
        var body = path == "/api/agreements" ? AgreementDraft("hostile-null-element") : JsonSerializer.SerializeToNode(PilotRequests.WaterCommitment("hostile-null-element"), JsonSerializerOptions.Web)!;
        body[list]![index] = null;
        var request = new HostileRequest
        {
            Method = "post", PathAndQuery = path, What = "regression", Body = Hostile.Serialize(body),
            Authorization = Token(path == "/api/agreements" ? Auth.Supervisor : Auth.Liuyang),
        };

        Assert.Equal(400, await CheckAsync(request, path, new Tally()));
        using var response = await _client.SendAsync(request.ToMessage(_client.BaseAddress!));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_value", field);
    }

    // ---- the cases ----

    private enum Kind { Valid, Field, RawBody, PathSegment, Query, QueryShape, Header }

    private enum Auth
    {
        Liuyang, Supervisor, Admin, Auditor, Decision,
        None, Garbage, NotBearer, EmptyBearer, HugeToken, AlgNone, WrongKey, Expired, OtherCounty, UnknownRole, GovernmentWithoutCode, WrongAudience,
    }

    private sealed record Case(Kind Kind, Auth Auth, int Pick, int Pick2)
    {
        public override string ToString() => $"{Kind} as {Auth}, pick {Pick}/{Pick2}";
    }

    /// <summary>What an operation's requests are aimed at: real ids for its path and a valid body to mutate.</summary>
    private sealed record Target(Dictionary<string, string> PathValues, JsonNode? Body)
    {
        /// <summary>The ledger roles the operation's policy admits, found by asking: most cases are sent as one of them.</summary>
        public IReadOnlyList<Auth> Admitted { get; init; } = [];
    }

    private static Gen<Case> Cases(ApiOperation operation, Target target)
    {
        var kinds = new List<(int Weight, Kind Kind)> { (5, Kind.Valid), (10, Kind.Header), (8, Kind.QueryShape) };
        if (operation.HasBody) kinds.AddRange([(45, Kind.Field), (20, Kind.RawBody)]);
        else kinds.Add((5, Kind.RawBody));
        if (operation.PathParameters.Count > 0) kinds.Add((operation.HasBody ? 10 : 35, Kind.PathSegment));
        if (operation.QueryParameters.Count > 0) kinds.Add((operation.HasBody ? 8 : 35, Kind.Query));
        var total = kinds.Sum(k => k.Weight);
        return Gen.Select(Gen.Int[0, total - 1], Gen.Int[0, 99], Gen.Int[0, 1_000_000], Gen.Int[0, 1_000_000], (kind, auth, pick, pick2) =>
        {
            foreach (var (weight, k) in kinds)
            {
                if (kind < weight) return new Case(k, AuthFor(auth, target.Admitted), pick, pick2);
                kind -= weight;
            }
            return new Case(Kind.Valid, AuthFor(auth, target.Admitted), pick, pick2);
        });
    }

    // Three in four as a role the operation admits (so the requests reach binding and the deciders);
    // the rest as any role, or with no, forged or misused tokens.
    private static Auth AuthFor(int roll, IReadOnlyList<Auth> admitted) => roll switch
    {
        < 75 when admitted.Count > 0 => admitted[roll % admitted.Count],
        < 85 => (Auth)(roll % ((int)Auth.Decision + 1)),
        _ => (Auth)((int)Auth.None + (roll - 85) * (Enum.GetValues<Auth>().Length - (int)Auth.None) / 15),
    };

    /// <summary>
    /// Which roles the operation's policy admits: authorization runs before binding, so an empty object
    /// answers 403 to a role it refuses and something else (a 400 for the missing fields, or the read) to
    /// one it admits. An empty object is never a valid body, so nothing is written — except by a command
    /// that takes no body (an activation), which runs as its own valid cases would.
    /// </summary>
    private async Task<IReadOnlyList<Auth>> AdmittedAsync(ApiOperation operation, Dictionary<string, string> pathValues)
    {
        var admitted = new List<Auth>();
        var path = Template().Replace(operation.Path, m => pathValues.TryGetValue(m.Groups[1].Value, out var v) ? v : "x");
        foreach (var role in new[] { Auth.Liuyang, Auth.Supervisor, Auth.Admin, Auth.Auditor, Auth.Decision })
        {
            var probe = new HostileRequest
            {
                Method = operation.Method, PathAndQuery = path, What = "which roles are admitted", Authorization = Token(role),
                Body = operation.Method == "get" ? null : "{}"u8.ToArray(),
            };
            if (await CheckAsync(probe, operation.Name, new Tally()) is not (403 or 401)) admitted.Add(role);
        }
        return admitted;
    }

    private HostileRequest Build(ApiOperation operation, Target target, Case c)
    {
        var pathValues = new Dictionary<string, string>(target.PathValues);
        var query = operation.QueryParameters.Where(p => p.Required).Select(p => $"{p.Name}={Uri.EscapeDataString(QuerySample(p))}").ToList();
        var body = target.Body is null ? null : Hostile.Serialize(target.Body);
        var contentType = "application/json";
        var chunked = false;
        var what = c.Kind.ToString();
        bool serverMayRefuse = false, clientMayRefuse = false;
        var headers = new List<(string, string)>();

        switch (c.Kind)
        {
            case Kind.Field when target.Body is not null:
            {
                var paths = Hostile.Paths(target.Body);
                var path = paths[c.Pick % paths.Count];
                var mutation = Hostile.FieldMutations[c.Pick2 % Hostile.FieldMutations.Length];
                body = Hostile.Mutate(target.Body, path, mutation);
                what = $"{Hostile.Describe(path)}: {mutation.Name}";
                break;
            }
            case Kind.RawBody:
            {
                var (name, make) = Hostile.RawBodies[c.Pick % Hostile.RawBodies.Length];
                (body, var type, chunked) = make(body ?? "{\"a\":\"b\"}"u8.ToArray());
                contentType = type!;
                what = "body: " + name;
                break;
            }
            case Kind.PathSegment when operation.PathParameters.Count > 0:
            {
                var parameter = operation.PathParameters[c.Pick % operation.PathParameters.Count];
                var (name, segment, refusable) = Hostile.PathSegments[c.Pick2 % Hostile.PathSegments.Length];
                pathValues[parameter.Name] = segment;
                serverMayRefuse = refusable;
                what = $"path {{{parameter.Name}}}: {name}";
                break;
            }
            case Kind.Query when operation.QueryParameters.Count > 0:
            {
                var parameter = operation.QueryParameters[c.Pick % operation.QueryParameters.Count];
                var (name, value) = Hostile.QueryValues[c.Pick2 % Hostile.QueryValues.Length];
                query.RemoveAll(q => q.StartsWith(parameter.Name + "=", StringComparison.Ordinal));
                query.Add($"{parameter.Name}={value}");
                // Now and then the same key twice: a valid value and the junk.
                if (c.Pick2 % 3 == 0) query.Add($"{parameter.Name}={Uri.EscapeDataString(QuerySample(parameter))}");
                what = $"query {parameter.Name}: {name}{(c.Pick2 % 3 == 0 ? ", repeated" : "")}";
                break;
            }
            case Kind.QueryShape:
            {
                var (name, shape) = Hostile.QueryShapes[c.Pick % Hostile.QueryShapes.Length];
                query.Add(shape);
                what = "query: " + name;
                break;
            }
            case Kind.Header:
            {
                var (name, header, value, clientRefusable, serverRefusable) = Hostile.Headers[c.Pick % Hostile.Headers.Length];
                headers.Add((header, value));
                clientMayRefuse = clientRefusable;
                serverMayRefuse = serverRefusable;
                what = "header: " + name;
                break;
            }
        }

        var pathText = Template().Replace(operation.Path, m => pathValues.TryGetValue(m.Groups[1].Value, out var v) ? v : "x");
        var request = new HostileRequest
        {
            Method = operation.Method,
            PathAndQuery = pathText + (query.Count > 0 ? "?" + string.Join('&', query) : ""),
            Body = body,
            ContentType = contentType,
            Chunked = chunked,
            What = $"{what}; token: {c.Auth}",
            ServerMayRefuse = serverMayRefuse,
            ClientMayRefuse = clientMayRefuse,
            Authorization = Token(c.Auth),
        };
        request.Headers.AddRange(headers);
        return request;
    }

    private static string QuerySample(ApiParameter parameter) =>
        Schemas.Sample(new JsonObject(), parameter.Schema, parameter.Name)?.ToString() ?? "x";

    /// <summary>
    /// Sends the request and checks the answer: no 5xx; a refusal is problem+json whose status is the
    /// answer's, with nothing internal in it, and nothing was appended to the ledger. Returns the status.
    /// </summary>
    private async Task<int> CheckAsync(HostileRequest request, string operation, Tally tally)
    {
        var before = await LedgerAsync();
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request.ToMessage(_client.BaseAddress!));
        }
        catch (HttpRequestException) when (request.ClientMayRefuse)
        {
            // The client would not write the header; nothing was sent.
            tally.Add(operation, "not sent");
            return 0;
        }
        catch (HttpRequestException) when (request.OverLimit)
        {
            // The server refused the body while it was still being written (it answers 413 and closes the
            // connection); the answer is lost to this client, but the ledger must still be as it was.
            Assert.True(before == await LedgerAsync(), $"a refused oversized body changed the ledger: {request}");
            tally.Add(operation, "connection closed (body over the limit)");
            return 0;
        }
        catch (TaskCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{request}: no answer within {_client.Timeout.TotalSeconds} s");
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var text = Encoding.UTF8.GetString(bytes);
            var after = await LedgerAsync();
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var shown = $"{request}\n→ {status} {mediaType}: {(text.Length > 600 ? text[..600] + "…" : text)}";

            Assert.True(status < 500, "answered 5xx: " + shown);
            Assert.True(!StackTraceMarkers.Any(m => text.Contains(m, StringComparison.Ordinal)), "a stack trace in the answer: " + shown);
            if (status < 400)
            {
                tally.Add(operation, status.ToString(CultureInfo.InvariantCulture));
                return status;
            }
            Assert.True(before == after, $"a {status} refusal changed the ledger from {before} to {after}: {shown}");
            if (bytes.Length == 0 && mediaType is null && request.ServerMayRefuse && status is 400 or 414 or 431)
            {
                // Kestrel refuses these while reading the request line or headers, before any of the API runs.
                tally.Add(operation, $"{status} (server, bare)");
                return status;
            }
            Assert.True(mediaType == "application/problem+json", "not problem+json: " + shown);
            JsonNode? problem = null;
            try
            {
                problem = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
            }
            Assert.True(problem is JsonObject && (int?)problem["status"] == status, "the problem's status is not the answer's: " + shown);
            tally.Add(operation, status.ToString(CultureInfo.InvariantCulture));
            return status;
        }
    }

    private async Task<(long Count, long Max)> LedgerAsync()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*), coalesce(max(seq_id), 0) from \"{host.Schema}\".mt_events", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    // ---- what the requests aim at ----

    private static bool Known(ApiOperation operation) =>
        operation.Path.EndsWith("/progress", StringComparison.Ordinal) || operation.Path.EndsWith("/evidence", StringComparison.Ordinal);

    /// <summary>
    /// Real ids for the path (a fresh active commitment for each commitment write, so one operation's
    /// valid cases cannot close the commitment the next one writes to) and a valid body where one is known.
    /// </summary>
    private async Task<Target> TargetAsync(JsonNode document, ApiOperation operation, int index)
    {
        var commitment = PilotZone.Commitment;
        if (operation.Method == "post" && operation.Path.StartsWith("/api/commitments/{commitmentId}", StringComparison.Ordinal))
        {
            commitment = $"hostile-{index:D3}";
            if ((await host.Client("auditor").GetAsync($"/api/commitments/{commitment}")).StatusCode == HttpStatusCode.NotFound)
                await PilotZone.ActiveCommitmentAsync(host, commitment);
        }
        var agreement = PilotZone.Agreement;
        if (operation.Method == "post" && operation.Path.StartsWith("/api/agreements/{agreementId}", StringComparison.Ordinal))
        {
            // A draft of its own: a valid termination must not end the agreement every commitment is registered under.
            agreement = $"hostile-agreement-{index:D3}";
            if ((await host.Client("auditor").GetAsync($"/api/agreements/{agreement}")).StatusCode == HttpStatusCode.NotFound)
                await host.Client("supervisor").PostAsync("/api/agreements", Json.Raw(AgreementDraft(agreement).ToJsonString())).Ok();
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["commitmentId"] = commitment,
            ["agreementId"] = agreement,
            ["governmentId"] = PilotZone.Liuyang,
            ["sequence"] = "1",
            ["sha256"] = new string('b', 64),
            ["name"] = "en",
        };
        foreach (var parameter in operation.PathParameters.Where(p => !values.ContainsKey(p.Name)))
            values[parameter.Name] = Schemas.Sample(document, parameter.Schema, parameter.Name)?.ToString() ?? "x";

        var path = operation.Path.TrimEnd('/');
        object? known = (operation.Method, path) switch
        {
            ("post", "/api/governments") => new { governmentId = "439901", nameZh = "测试县", nameEn = "Hostile", province = "Hunan", prefecture = "Changsha", level = "County" },
            ("post", "/api/commitments") => PilotRequests.WaterCommitment("hostile-new"),
            ("post", "/api/agreements/{agreementId}/signatures") => new { governmentId = PilotZone.Liuyang, signedOn = "2021-03-01" },
            ("post", "/api/commitments/{commitmentId}/evidence") => PilotRequests.Evidence("hostile-evidence"),
            ("post", "/api/commitments/{commitmentId}/progress") => new
            {
                reportId = "hostile-report",
                period = "2024",
                asOf = "2024-12-31",
                values = new[] { new { indicatorId = "months-class-iii", value = 11m, text = (string?)null } },
                narrative = "Eleven months at Class III or better.",
            },
            ("post", "/api/agreements") => AgreementDraft("hostile-agreement"),
            _ => null,
        };
        var body = known is null ? (operation.HasBody ? Schemas.Sample(document, operation.BodySchema, "body") : null)
            : known as JsonNode ?? JsonSerializer.SerializeToNode(known, JsonSerializerOptions.Web);
        return new Target(values, body) { Admitted = await AdmittedAsync(operation, values) };
    }

    private static JsonObject AgreementDraft(string id)
    {
        var body = JsonSerializer.SerializeToNode(PilotRequests.ActiveAgreement().First().Body, JsonSerializerOptions.Web)!.AsObject();
        body["agreementId"] = id;
        return body;
    }

    // ---- tokens ----

    private string? Token(Auth auth) => auth switch
    {
        Auth.Liuyang => Bearer(host.Token("government", PilotZone.Liuyang)),
        Auth.Supervisor => Bearer(host.Token("supervisor")),
        Auth.Admin => Bearer(host.Token("admin")),
        Auth.Auditor => Bearer(host.Token("auditor")),
        Auth.Decision => Bearer(host.Token("decision")),
        Auth.None => null,
        Auth.Garbage => "Bearer abc.def.ghi",
        Auth.NotBearer => "Basic YWRtaW46YWRtaW4=",
        Auth.EmptyBearer => "Bearer ",
        Auth.HugeToken => "Bearer " + new string('A', 10_000),
        Auth.AlgNone => Bearer(Unsigned(new Dictionary<string, object>
        {
            ["iss"] = TokenSettings.DefaultIssuer, ["aud"] = TokenSettings.DefaultAudience, ["sub"] = "admin", [LedgerClaims.Role] = "admin",
            ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
        })),
        Auth.WrongKey => Bearer(new TokenIssuer(new TokenSettings(TokenSettings.DefaultIssuer, TokenSettings.DefaultAudience, null, null, RandomNumberGenerator.GetBytes(32)), TimeProvider.System)
            .Issue("admin", null, TimeSpan.FromHours(1))),
        Auth.Expired => Bearer(new TokenIssuer(host.Services.GetRequiredService<TokenSettings>(), new ManualClock(DateTimeOffset.UtcNow.AddHours(-3)))
            .Issue("government", PilotZone.Liuyang, TimeSpan.FromHours(1))),
        Auth.OtherCounty => Bearer(host.Token("government", PilotZone.Liling)),
        Auth.UnknownRole => Bearer(Signed(new Dictionary<string, object> { ["sub"] = "root", [LedgerClaims.Role] = "root" })),
        Auth.GovernmentWithoutCode => Bearer(Signed(new Dictionary<string, object> { ["sub"] = "government:", [LedgerClaims.Role] = "government" })),
        Auth.WrongAudience => Bearer(Signed(new Dictionary<string, object> { ["sub"] = "admin", [LedgerClaims.Role] = "admin" }, audience: "another-ledger")),
        _ => throw new ArgumentOutOfRangeException(nameof(auth)),
    };

    private static string Bearer(string token) => "Bearer " + token;

    /// <summary>Signed with the ledger's own key for this node's zone, with claims the ledger's issuer would never put in.</summary>
    private string Signed(Dictionary<string, object> claims, string audience = TokenSettings.DefaultAudience) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = TokenSettings.DefaultIssuer,
        Audience = audience,
        Claims = new Dictionary<string, object>(claims) { [LedgerClaims.Zone] = host.Services.GetRequiredService<TokenSettings>().Zone },
        IssuedAt = DateTime.UtcNow,
        NotBefore = DateTime.UtcNow,
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(host.LocalSigningKey.ToArray()) { KeyId = "ledger-local-1" }, SecurityAlgorithms.HmacSha256),
    });

    /// <summary><c>alg: none</c>: a header and claims, no signature.</summary>
    private static string Unsigned(Dictionary<string, object> claims) =>
        System.Buffers.Text.Base64Url.EncodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8) + "." + System.Buffers.Text.Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims)) + ".";

    private static HttpClient NewClient(LedgerHost host)
    {
        var client = host.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(30);
        return client;
    }

    [GeneratedRegex(@"\{\*?([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex Template();

    /// <summary>Counts by operation and by answer, written to the test output and to artifacts/hostile-input.json.</summary>
    private sealed class Tally
    {
        private readonly SortedDictionary<string, SortedDictionary<string, int>> _byOperation = new(StringComparer.Ordinal);

        public void Add(string operation, string answer)
        {
            if (!_byOperation.TryGetValue(operation, out var answers)) _byOperation[operation] = answers = new(StringComparer.Ordinal);
            answers[answer] = answers.GetValueOrDefault(answer) + 1;
        }

        public string Write(int operations, int casesPerOperation, TimeSpan elapsed)
        {
            var total = _byOperation.Values.Sum(a => a.Values.Sum());
            var byAnswer = _byOperation.Values.SelectMany(a => a).GroupBy(a => a.Key, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(a => a.Value), StringComparer.Ordinal);
            var report = new JsonObject
            {
                ["operations"] = operations,
                ["casesPerOperation"] = casesPerOperation,
                ["total"] = total,
                ["seconds"] = Math.Round(elapsed.TotalSeconds, 1),
                ["answersByStatus"] = JsonSerializer.SerializeToNode(byAnswer),
                ["byOperation"] = JsonSerializer.SerializeToNode(_byOperation.ToDictionary(o => o.Key, o => new { cases = o.Value.Values.Sum(), answers = o.Value })),
            };
            var folder = Path.Combine(Repository.Root, "artifacts");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "hostile-input.json"), report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return $"hostile input: {operations} operations × {casesPerOperation} cases = {total} requests in {elapsed.TotalSeconds:F1} s; answers: "
                + string.Join(", ", byAnswer.Select(a => $"{a.Key} × {a.Value}")) + "; written to artifacts/hostile-input.json";
        }
    }
}

internal static class HostileJson
{
    public static async Task<JsonNode> GetFromJsonNodeAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.ReadAsync();
    }
}
