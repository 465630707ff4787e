using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using JasperFx.Events;
using Ledger.Api.Audit;
using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Contracts;
using Ledger.Infrastructure.Audit;
using Ledger.Projections;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Commitments;

/// <summary>
/// A commitment as an Open Contracting (OCDS 1.1) record package: one release per event, the compiled
/// release (the latest value of every mapped field) and the versioned release (each field's history).
/// All three come from the same list of (path, value) facts per event, read from the commitment
/// record's per-field history and the events' own data, so they cannot disagree. The mapping is
/// documented in ops/docs/ocds-mapping.md; the package validates against the OCDS 1.1.5 schemas.
/// </summary>
public static class OcdsEndpoints
{
    public const string OcidPrefix = "ocds-xgb-";
    public const string ContractsKey = "contracts";
    private const string AwardsKey = "awards";

    /// <summary>OCDS's initiationType codelist is closed and holds "tender" alone; every release must carry it.</summary>
    private static readonly Fact Initiation = new(["initiationType"], "tender");

    public static RouteGroupBuilder MapOcdsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/commitments").WithTags("Commitments").RequireAuthorization(Policies.Reader).WithStandardResponses();
        group.MapGet("/{commitmentId}/ocds", Record).IsReplay().Produces<JsonObject>()
            .WithName("CommitmentOcds").WithSummary("The commitment as an OCDS record package: releases per event, compiled release and versioned release.");
        return group;
    }

    public static async Task<JsonHttpResult<JsonObject>> Record(string commitmentId, HttpContext http, IQuerySession session, TimeProvider time)
    {
        var ct = http.RequestAborted;
        var streamKey = StreamKeys.Commitment(commitmentId);
        // Folded from the events rather than loaded (the versions of each field are not stored), from the one read of them.
        var events = await session.Events.FetchStreamAsync(streamKey, token: ct);
        var record = await AuditReplay.FoldRecordAsync(session, events, ct)
            ?? throw new RequestRejected(StatusCodes.Status404NotFound, "commitment_not_found", $"Commitment {commitmentId} does not exist.");
        // The package's uri must be absolute (format "uri"): the address this request reached.
        var uri = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{http.Request.Path}";
        return TypedResults.Json(Build(record, events, time.GetUtcNow(), uri), statusCode: 200);
    }

    /// <summary>One fact of a release: where it goes in the OCDS document and its value. A path that ends in
    /// "name#id" only makes that element exist (an id is never versioned).</summary>
    private sealed record Fact(string[] Path, JsonNode? Value);

    public static JsonObject Build(CommitmentRecord record, IReadOnlyList<IEvent> events, DateTimeOffset now, string uri)
    {
        var ocid = OcidPrefix + record.CommitmentId;
        var byVersion = (record.History ?? [])
            .SelectMany(h => h.Value.Select(v => (Field: h.Key, v.Value, v.Version)))
            .ToLookup(x => x.Version);

        var releases = new JsonArray();
        var compiled = Release(ocid, $"{ocid}-compiled", events.Count > 0 ? events[^1].Timestamp : record.LastUpdatedAt, "compiled");
        var versioned = new JsonObject { ["ocid"] = ocid };
        var implementationSeen = false;
        foreach (var e in events)
        {
            var tag = Tag(e.Data, ref implementationSeen);
            var releaseId = $"{e.StreamKey}/{e.Version.ToString(CultureInfo.InvariantCulture)}";
            var facts = EventFacts(record, e).Concat(byVersion[e.Version].SelectMany(f => FieldFacts(record, f.Field, f.Value))).ToList();
            // OCDS requires a contract's awardID wherever the contract appears, so each release that
            // touches the contract names its award.
            var contract = Contract(record);
            if (facts.Any(f => f.Path[0] == contract[0]))
                facts.Insert(0, new Fact([.. contract, "awardID"], record.CommitmentId));
            facts.Insert(0, Initiation);

            var release = Release(ocid, releaseId, e.Timestamp, tag);
            foreach (var fact in facts)
            {
                Put(release, fact.Path, fact.Value?.DeepClone());
                Put(compiled, fact.Path, fact.Value?.DeepClone());
            }
            // A version is the field's value once the event is applied, read from the compiled release,
            // so a field two facts of one event touch gets one version.
            foreach (var path in facts.Select(f => VersionedPath(f.Path)).DistinctBy(p => string.Join('/', p)))
            {
                if (IsElement(path))
                    Walk(versioned, path);
                else
                    AddVersion(versioned, path, Walk(compiled, path[..^1])[path[^1]], releaseId, e.Timestamp, tag);
            }
            releases.Add(release);
        }

        return new JsonObject
        {
            ["uri"] = uri,
            ["version"] = "1.1",
            ["publishedDate"] = now.ToString("O", CultureInfo.InvariantCulture),
            ["publisher"] = new JsonObject { ["name"] = "Hunan–Jiangxi Border Regional Cooperation Ledger" },
            ["extensions"] = new JsonArray(),
            ["records"] = new JsonArray(new JsonObject
            {
                ["ocid"] = ocid,
                ["releases"] = releases,
                ["compiledRelease"] = compiled,
                ["versionedRelease"] = versioned,
            }),
        };
    }

    private static JsonObject Release(string ocid, string id, DateTimeOffset date, string tag) => new()
    {
        ["ocid"] = ocid,
        ["id"] = id,
        ["date"] = date.ToString("O", CultureInfo.InvariantCulture),
        ["tag"] = new JsonArray(tag),
    };

    /// <summary>Release tags (ops/docs/ocds-mapping.md): registration plans, activation contracts, the rest implements.</summary>
    private static string Tag(object data, ref bool implementationSeen)
    {
        switch (data)
        {
            case CommitmentRegistered: return "planning";
            case ContributorAssigned or IndicatorDefined or MilestoneScheduled: return "planningUpdate";
            case CommitmentActivated: return "contract";
            case CommitmentSuspended or CommitmentResumed: return "contractUpdate";
            case CommitmentRevised: return "contractAmendment";
            case CommitmentWithdrawn: return "contractTermination";
            default:
                var tag = implementationSeen ? "implementationUpdate" : "implementation";
                implementationSeen = true;
                return tag;
        }
    }

    /// <summary>Facts an event states that the record keeps no history for: identities, names, types.</summary>
    private static IEnumerable<Fact> EventFacts(CommitmentRecord record, IEvent e)
    {
        var c = Contract(record);
        switch (e.Data)
        {
            case CommitmentRegistered d:
                yield return new Fact(["relatedProcesses#" + d.AgreementId, "relationship"], new JsonArray("framework"));
                yield return new Fact(["relatedProcesses#" + d.AgreementId, "scheme"], "ocid");
                yield return new Fact(["relatedProcesses#" + d.AgreementId, "identifier"], OcidPrefix + d.AgreementId);
                yield return new Fact(["parties#" + d.LeadGovernmentId, "roles"], new JsonArray("supplier"));
                yield return new Fact(["parties#" + d.LeadGovernmentId, "details", "ledgerRole"], "lead");
                yield return new Fact([.. Award(record), "suppliers#" + d.LeadGovernmentId], null);
                yield return new Fact(["ledger", "agreementId"], d.AgreementId);
                yield return new Fact(["ledger", "resultType"], Camel(d.ResultType.ToString()));
                break;
            case ContributorAssigned d:
                yield return new Fact(["parties#" + d.GovernmentId, "roles"], new JsonArray("supplier"));
                yield return new Fact(["parties#" + d.GovernmentId, "details", "ledgerRole"], "contributor");
                yield return new Fact([.. Award(record), "suppliers#" + d.GovernmentId], null);
                break;
            case CommitmentActivated d:
                // Accepting the commitment into supervision is the decision that puts the award in force.
                yield return new Fact([.. Award(record), "date"], d.ActivatedAt.ToString("O", CultureInfo.InvariantCulture));
                break;
            case IndicatorDefined d:
                var metric = (string[])[.. c, "implementation", "metrics#" + d.Indicator.IndicatorId];
                yield return new Fact([.. metric, "title"], d.Indicator.Name);
                var indicator = (string[])["ledger", "indicators#" + d.Indicator.IndicatorId];
                yield return new Fact([.. indicator, "measure"], Camel(d.Indicator.Measure.ToString()));
                yield return new Fact([.. indicator, "unit"], d.Indicator.Unit);
                yield return new Fact([.. indicator, "direction"], Camel(d.Indicator.Direction.ToString()));
                yield return new Fact([.. indicator, "aggregation"], Camel(d.Indicator.Aggregation.ToString()));
                break;
            case MilestoneScheduled d:
                var milestone = (string[])[.. c, "milestones#" + d.Milestone.MilestoneId];
                yield return new Fact([.. milestone, "title"], d.Milestone.Title);
                yield return new Fact([.. milestone, "type"], Camel(d.Milestone.Type.ToString()));
                break;
            case MilestoneStatusChanged { MetOn: { } metOn } d:
                yield return new Fact([.. c, "milestones#" + d.MilestoneId, "dateMet"], Day(metOn));
                break;
        }
    }

    /// <summary>Where each field of the record's history goes; what OCDS has no field for goes under "ledger".
    /// The status is both the contract's and the award's.</summary>
    private static IEnumerable<Fact> FieldFacts(CommitmentRecord record, string field, JsonElement? typed)
    {
        // Text fields are read as text; numbers keep their type (Node).
        var value = typed is { ValueKind: JsonValueKind.String } text ? text.GetString() : typed?.ToString();
        if (field == "status")
            return [new Fact([.. Contract(record), "status"], ContractStatus(value)), new Fact([.. Award(record), "status"], AwardStatus(value))];
        return [FieldFact(record, field, value, typed)];
    }

    private static Fact FieldFact(CommitmentRecord record, string field, string? value, JsonElement? typed)
    {
        var c = Contract(record);
        var parts = field.Split('.');
        return parts switch
        {
            ["title"] => new Fact([.. c, "title"], value),
            ["description"] => new Fact([.. c, "description"], value),
            ["deadline"] => new Fact([.. c, "period", "endDate"], value),
            ["leadGovernmentId"] => new Fact(["ledger", "leadGovernmentId"], value),
            ["leadDepartment"] => new Fact(["ledger", "leadDepartment"], value),
            ["contributors", var g, "sharePercent"] => new Fact(["parties#" + g, "details", "sharePercent"], Node(typed)),
            ["milestones", var m, "status"] => new Fact([.. c, "milestones#" + m, "status"], Camel(value)),
            ["milestones", var m, "due"] => new Fact([.. c, "milestones#" + m, "dueDate"], value),
            ["indicators", var i, "actual", var period] =>
                new Fact([.. c, "implementation", "metrics#" + i, "observations#" + period, "measure"], Node(typed)),
            ["completion" or "confidence" or "risk"] => new Fact(["ledger", "assessment", parts[0]], Camel(value)),
            [var collection, var id, var leaf] => new Fact(["ledger", collection + "#" + id, leaf], value),
            _ => new Fact(["ledger", field], value),
        };
    }

    private static string[] Contract(CommitmentRecord record) => [ContractsKey + "#" + record.CommitmentId];

    /// <summary>The commitment's one award: its allocation to the lead government and the contributors, under the commitment's id.</summary>
    private static string[] Award(CommitmentRecord record) => [AwardsKey + "#" + record.CommitmentId];

    /// <summary>OCDS's contract status codelist: pending, active, cancelled, terminated.</summary>
    public static string? ContractStatus(string? status) => status switch
    {
        null => null,
        "Draft" => "pending",
        "Active" or "FulfilmentClaimed" or "Suspended" => "active",
        "Fulfilled" => "terminated",
        "Withdrawn" => "cancelled",
        _ => Camel(status),
    };

    /// <summary>OCDS's award status codelist: pending, active, cancelled, unsuccessful. A commitment fulfilled
    /// or suspended was still awarded; only withdrawal cancels the award.</summary>
    public static string? AwardStatus(string? status) => status switch
    {
        null => null,
        "Draft" => "pending",
        "Withdrawn" => "cancelled",
        _ => "active",
    };

    private static JsonNode? Node(JsonElement? value) => value is { } element ? JsonSerializer.SerializeToNode(element) : null;

    private static string? Camel(string? value) => string.IsNullOrEmpty(value) ? value : char.ToLowerInvariant(value[0]) + value[1..];

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Sets a value at a path; a segment "name#id" is the element of array "name" whose "id" is id (created if absent).</summary>
    private static void Put(JsonObject root, string[] path, JsonNode? value)
    {
        if (IsElement(path))
            Walk(root, path);
        else
            Walk(root, path[..^1])[path[^1]] = value;
    }

    private static bool IsElement(string[] path) => path[^1].Contains('#', StringComparison.Ordinal);

    /// <summary>Where a fact's history goes in the versioned release: a party's details have no schema of
    /// their own, so the versioned-release schema versions them as one object, not field by field.</summary>
    private static string[] VersionedPath(string[] path) =>
        path is [var party, "details", _, ..] && party.StartsWith("parties#", StringComparison.Ordinal) ? path[..2] : path;

    /// <summary>Appends a version to the field's history unless its value is the one already shown (OCDS versioned release).</summary>
    private static void AddVersion(JsonObject root, string[] path, JsonNode? value, string releaseId, DateTimeOffset date, string tag)
    {
        var node = Walk(root, path[..^1]);
        if (node[path[^1]] is not JsonArray versions)
            node[path[^1]] = versions = [];
        if (versions.Count > 0 && JsonNode.DeepEquals(versions[^1]!["value"], value)) return;
        versions.Add(new JsonObject
        {
            ["releaseID"] = releaseId,
            ["releaseDate"] = date.ToString("O", CultureInfo.InvariantCulture),
            ["releaseTag"] = new JsonArray(tag),
            ["value"] = value?.DeepClone(),
        });
    }

    /// <summary>The object at the end of these segments, created where absent.</summary>
    private static JsonObject Walk(JsonObject root, string[] segments)
    {
        var node = root;
        foreach (var segment in segments)
        {
            var hash = segment.IndexOf('#', StringComparison.Ordinal);
            if (hash < 0)
            {
                if (node[segment] is not JsonObject child)
                    node[segment] = child = [];
                node = child;
                continue;
            }
            var (name, id) = (segment[..hash], segment[(hash + 1)..]);
            if (node[name] is not JsonArray array)
                node[name] = array = [];
            var element = array.OfType<JsonObject>().FirstOrDefault(x => (string?)x["id"] == id);
            if (element is null)
            {
                element = new JsonObject { ["id"] = id };
                array.Add(element);
            }
            node = element;
        }
        return node;
    }
}
