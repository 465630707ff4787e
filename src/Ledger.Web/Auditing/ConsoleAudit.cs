using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Ledger.Contracts;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Identity;
using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Leaves;
using Ledger.Web.Components.Audit;
using Ledger.Web.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Web.Auditing;

/// <summary>One event's proof as the browser checks it: the proof, the signed checkpoint it ends at, and the event's leaf bytes.</summary>
public sealed record ProofBundle(InclusionProofDocument Proof, string Checkpoint, string Event);

/// <summary>
/// The auditors' console answers that are not pages: an event's proof for verify.js, the audit bundle
/// as a .zip, and the verify page's offline copy. The proof carries the event's content, so fetching it
/// is a replay and is recorded like one; the bundle is recorded as the command-line export records it.
/// </summary>
public static class ConsoleAudit
{
    public const string BundleAction = "GET /audit/export/bundle";

    public static IServiceCollection AddConsoleAudit(this IServiceCollection services) => services.AddSingleton<VerifyScript>();

    public static IEndpointRouteBuilder MapConsoleAudit(this IEndpointRouteBuilder app)
    {
        var oversight = app.MapGroup("/audit").RequireAuthorization(ConsolePolicies.Oversight).WithMetadata(ConsoleEndpoint.Instance).ExcludeFromDescription();
        oversight.MapGet("/commitments/{commitmentId}/events/{sequence:long}/proof", ProofAsync).WithMetadata(ReplayAttribute.Instance);
        oversight.MapGet("/verify/offline", Offline);
        app.MapGet("/audit/export/bundle", BundleAsync).RequireAuthorization(ConsolePolicies.Auditor).WithMetadata(ConsoleEndpoint.Instance).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The event's leaf bytes (the canonical envelope the Merkle log hashed) and its proof against the
    /// latest signed checkpoint; not found when the event is not the commitment's, and a status in
    /// place of the proof when no checkpoint covers it yet.
    /// </summary>
    public static async Task<IResult> ProofAsync(string commitmentId, long sequence,
        [FromKeyedServices("ledger-integrity")] NpgsqlDataSource db, LedgerIntegrity integrity, CancellationToken ct)
    {
        LeafEnvelope? envelope = null;
        await using (var command = db.CreateCommand(EventRows.Select(integrity.Schema) + " where seq_id = @seq"))
        {
            command.Parameters.AddWithValue("seq", sequence);
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct)) envelope = EventRows.Read(reader);
        }
        if (envelope is null || envelope.Stream != StreamKeys.Commitment(commitmentId)) return TypedResults.NotFound();

        await using var prover = await InclusionProver.OpenAsync(db, integrity.Schema, ct);
        var proof = await prover.ProveAsync(sequence, ct);
        if (proof is null || prover.Checkpoint is null) return TypedResults.Ok(new { status = AuditReplay.NotYetCheckpointed });
        return TypedResults.Ok(new ProofBundle(proof, prover.Checkpoint.SignedNote, Encoding.UTF8.GetString(LeafEncoding.Encode(envelope))));
    }

    /// <summary>The verify page as one file to keep and open from disk: the script inline, pinned by its hash.</summary>
    public static RazorComponentResult<VerifyOffline> Offline(HttpContext http)
    {
        http.Response.Headers.ContentDisposition = "attachment; filename=\"ledger-verify.html\"";
        return new RazorComponentResult<VerifyOffline>();
    }

    /// <summary>
    /// Writes the bundle with the command-line export's own code into a folder of this request's, zips it
    /// and sends it. The access log names the signed-in person, this download and the selection; as with
    /// the command line, a bundle whose export cannot be recorded is not sent.
    /// </summary>
    public static async Task<IResult> BundleAsync(HttpContext http, string? scope, string? id, string? from, string? to,
        [FromKeyedServices("ledger-integrity")] NpgsqlDataSource db, LedgerIntegrity integrity, AccessLog log, TimeProvider time)
    {
        var ct = http.RequestAborted;
        var now = time.GetUtcNow();
        var request = ExportRequest.Read(scope, id, from, to, now, out var refusal);
        if (request is null)
            return TypedResults.LocalRedirect($"/audit/export?error={Uri.EscapeDataString(refusal!.Problem)}");

        var user = http.User;
        var actor = new AccessActor(user.FindFirst(LedgerClaims.Subject)?.Value, user.FindFirst(LedgerClaims.Role)?.Value, user.FindFirst(LedgerClaims.Government)?.Value);
        var fileName = request.FileName(now);
        var access = new ExportAccess(log, actor, Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier) { As = BundleAction, Target = fileName };

        var work = Directory.CreateTempSubdirectory("ledger-console-export-");
        http.Response.OnCompleted(() =>
        {
            // The bundle leaves with the answer; nothing of it stays on the node.
            work.Delete(recursive: true);
            return Task.CompletedTask;
        });
        var folder = Path.Combine(work.FullName, "bundle");
        try
        {
            await new AuditExporter(db, integrity, time, http.RequestServices.GetService<WitnessCosigning>()).WriteAsync(request.Selection(now), folder, null, ct, access);
        }
        catch (AuditBundleException refused) when (refused is not AccessNotRecordedException)
        {
            // Recorded already (with the exit code the command line would give); the page says why in words.
            return TypedResults.LocalRedirect($"/audit/export?error={(refused.BadInput ? "Export.Problem.subject" : "Export.Problem.empty")}");
        }
        var zip = Path.Combine(work.FullName, fileName);
        await ZipFile.CreateFromDirectoryAsync(folder, zip, CompressionLevel.Optimal, includeBaseDirectory: false, ct);
        return TypedResults.PhysicalFile(zip, "application/zip", fileName);
    }
}

/// <summary>
/// Marks the console's endpoints (its pages and the answers above): on them the session cookie names the
/// person before the access log and the rate limiter look, as a token does on the API's. The API's
/// endpoints never read the cookie.
/// </summary>
public sealed class ConsoleEndpoint
{
    public static readonly ConsoleEndpoint Instance = new();

    private ConsoleEndpoint()
    {
    }
}
