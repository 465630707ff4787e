using Ledger.Witness.Cosigning;

namespace Ledger.Witness.Monitoring;

internal static class MonitoringEndpoints
{
    public static IEndpointRouteBuilder MapMonitoringEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/{originHash}/checkpoint", LatestCheckpoint);
        app.MapGet("/", Overview);
        return app;
    }

    /// <summary>
    /// tlog-witness monitoring: the latest cosigned checkpoint of the log whose origin hashes (SHA-256, lower-case
    /// hex) to <paramref name="originHash"/>, with the log's signatures the witness verified and its cosignature.
    /// </summary>
    private static IResult LatestCheckpoint(string originHash, CheckpointWitness witness)
    {
        var origin = witness.Logs.ByOriginHash(originHash);
        if (origin is null)
            return Results.Text("this witness does not witness that log\n", Answer.PlainText, statusCode: 404);
        var held = witness.State.Held(origin);
        return held is null
            ? Results.Text("this witness has not cosigned a checkpoint of that log yet\n", Answer.PlainText, statusCode: 404)
            : Results.Text(held.Note, Answer.PlainText);
    }

    /// <summary>For operators: who this witness is and where each log it witnesses stands.</summary>
    private static IResult Overview(CheckpointWitness witness)
    {
        var held = witness.State.AllHeld().ToDictionary(h => h.Origin, StringComparer.Ordinal);
        var logs = witness.Logs.Origins.Order(StringComparer.Ordinal).Select(origin =>
        {
            held.TryGetValue(origin, out var h);
            return new LogOverview(
                origin,
                TrustedLogs.OriginHash(origin),
                witness.Logs.KeysOf(origin).Select(k => k.ToString()).ToList(),
                h?.Size,
                h is null ? null : Convert.ToBase64String(h.Root),
                h?.CosignedAt);
        }).ToList();
        return Results.Json(new WitnessOverview(witness.Cosigner.Name, witness.Cosigner.Verifier.ToString(), logs));
    }

    internal sealed record WitnessOverview(string Name, string VerifierKey, IReadOnlyList<LogOverview> Logs);

    internal sealed record LogOverview(string Origin, string OriginHash, IReadOnlyList<string> LogKeys, long? Size, string? RootHash, DateTimeOffset? CosignedAt);
}
