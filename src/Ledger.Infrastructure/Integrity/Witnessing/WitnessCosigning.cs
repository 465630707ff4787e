using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using Ledger.Infrastructure.Telemetry;
using Ledger.Integrity.Checkpoints;
using Microsoft.Extensions.Logging;

namespace Ledger.Infrastructure.Integrity;

/// <summary>What the ledger knows of one witness: the largest tree it cosigned, and how the last attempt went.</summary>
public sealed record WitnessStatus(string Name, string Url, long CosignedSize, long LagLeaves, DateTimeOffset? LastCosignedAt, string? LastError, DateTimeOffset? LastAttemptAt);

/// <summary>
/// The ledger as a C2SP tlog-witness client. After each checkpoint it submits the checkpoint to every witness
/// that has not cosigned it, with the consistency proof from the size that witness holds; it learns that size
/// from a 409 and submits again; it keeps each cosignature that verifies with the witness's configured key.
/// Witnesses are asked in parallel, each bounded by a timeout, and a witness that failed is retried with a
/// growing pause: a witness that is down delays nothing but its own cosignature.
/// </summary>
public sealed class WitnessCosigning : IDisposable
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(2);
    private const int MaxErrorLength = 300;

    private readonly IReadOnlyList<WitnessEndpoint> _witnesses;
    private readonly LedgerIntegrity _integrity;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, Tracked> _tracked = new(StringComparer.Ordinal);
    private long _latestSize;

    public WitnessCosigning(IReadOnlyList<WitnessEndpoint> witnesses, LedgerIntegrity integrity, TimeProvider time, TimeSpan timeout,
        ILogger<WitnessCosigning> logger, IMeterFactory? meters = null)
    {
        _witnesses = witnesses;
        _integrity = integrity;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = timeout })
        {
            Timeout = timeout,
        };
        foreach (var witness in witnesses) _tracked[witness.Name] = new Tracked();
        if (meters is not null && witnesses.Count > 0)
        {
            meters.Create(LedgerMetrics.MeterName).CreateObservableGauge("ledger.witness.lag_leaves", ObserveLag, unit: "{leaf}",
                description: "Leaves of the latest checkpoint that each witness has not cosigned yet (tag: witness).");
        }
    }

    /// <summary>The witnesses configured; none means checkpoints carry the ledger's signature alone.</summary>
    public IReadOnlyList<WitnessEndpoint> Witnesses => _witnesses;

    /// <summary>Each witness as last seen; the lag is against the latest checkpoint submitted.</summary>
    public IReadOnlyList<WitnessStatus> Status()
    {
        var latest = Interlocked.Read(ref _latestSize);
        return [.. _witnesses.Select(w =>
        {
            var t = _tracked[w.Name];
            var size = t.CosignedSize ?? 0;
            return new WitnessStatus(w.Name, w.Url.ToString(), size, Math.Max(0, latest - size), t.LastCosignedAt, t.LastError, t.LastAttemptAt);
        })];
    }

    /// <summary>
    /// Submits <paramref name="checkpoint"/> to every witness that has not cosigned it and is not pausing after a
    /// failure (<paramref name="force"/> ignores the pauses). Returns the names of those that cosigned it now.
    /// Never throws for a witness's failure; each one is logged and kept in <see cref="Status"/>.
    /// </summary>
    public async Task<IReadOnlyList<string>> SubmitAsync(StoredCheckpoint checkpoint, CancellationToken ct, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (_witnesses.Count == 0) return [];
        InterlockedMax(ref _latestSize, checkpoint.TreeSize);
        var now = _time.GetUtcNow();
        var due = _witnesses.Where(w =>
        {
            var t = _tracked[w.Name];
            return !checkpoint.Witnesses.Contains(w.Name) && (t.CosignedSize ?? -1) < checkpoint.TreeSize && (force || now >= t.NextAttemptAt);
        }).ToList();
        var results = await Task.WhenAll(due.Select(w => SubmitOneAsync(w, checkpoint, ct)));
        return [.. due.Where((_, i) => results[i]).Select(w => w.Name)];
    }

    private async Task<bool> SubmitOneAsync(WitnessEndpoint witness, StoredCheckpoint checkpoint, CancellationToken ct)
    {
        var tracked = _tracked[witness.Name];
        tracked.LastAttemptAt = _time.GetUtcNow();
        try
        {
            var old = tracked.CosignedSize ??= await _integrity.CosignedSizeAsync(witness.Name, ct);
            // At most three rounds: the size it holds may be learned from a 409, and once more if another node moved it meanwhile.
            for (var round = 0; round < 3; round++)
            {
                if (old > checkpoint.TreeSize)
                {
                    return Failed(witness, tracked,
                        $"the witness holds a tree of {old} leaves, larger than the ledger's checkpoint of {checkpoint.TreeSize}: " +
                        "the ledger was restored from an older state or its history forked; it will not cosign a smaller tree", LogLevel.Error);
                }
                var (status, body, contentType) = await PostAsync(witness, old, checkpoint, ct);
                switch (status)
                {
                    case HttpStatusCode.OK:
                        return await KeepAsync(witness, tracked, checkpoint, body, ct);
                    case HttpStatusCode.Conflict when contentType == "text/x.tlog.size" && TryParseSize(body, out var held):
                        tracked.CosignedSize = old = held;
                        continue;
                    default:
                        return Failed(witness, tracked, $"{(int)status} {status}: {OneLine(body)}", LogLevel.Warning);
                }
            }
            return Failed(witness, tracked, "the size it holds kept changing (409 three times)", LogLevel.Warning);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or TimeoutException or IntegrityRequestException or Npgsql.NpgsqlException)
        {
            return Failed(witness, tracked, ex is TaskCanceledException ? $"no answer within {_http.Timeout.TotalSeconds:0.#} s" : OneLine(ex.Message), LogLevel.Warning);
        }
    }

    private async Task<(HttpStatusCode, string, string?)> PostAsync(WitnessEndpoint witness, long old, StoredCheckpoint checkpoint, CancellationToken ct)
    {
        var body = new StringBuilder().Append(CultureInfo.InvariantCulture, $"old {old}\n");
        if (old > 0 && old < checkpoint.TreeSize)
        {
            var proof = await _integrity.ConsistencyAsync(old, checkpoint.TreeSize, ct);
            foreach (var hash in proof.Proof) body.Append(hash).Append('\n');
        }
        body.Append('\n').Append(checkpoint.SignedNote);
        using var content = new StringContent(body.ToString(), new UTF8Encoding(false), "text/plain");
        using var response = await _http.PostAsync(new Uri(witness.Url, witness.Url.AbsolutePath.TrimEnd('/') + "/add-checkpoint"), content, ct);
        var text = await ReadLimitedAsync(response, ct);
        return (response.StatusCode, text, response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<bool> KeepAsync(WitnessEndpoint witness, Tracked tracked, StoredCheckpoint checkpoint, string answer, CancellationToken ct)
    {
        // Keep only lines by this witness's key that verify over this checkpoint; anything else in the answer is ignored.
        var kept = 0;
        foreach (var line in answer.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith(SignedNote.SignaturePrefix, StringComparison.Ordinal)) continue;
            if (!Cosignature.Verify(checkpoint.SignedNote + line + "\n", witness.Key).Valid) continue;
            await _integrity.SaveCosignatureAsync(checkpoint.TreeSize, witness.Name, line, ct);
            kept++;
            break;
        }
        if (kept == 0)
            return Failed(witness, tracked, "it answered 200 without a cosignature that verifies with its configured key", LogLevel.Error);
        tracked.CosignedSize = checkpoint.TreeSize;
        tracked.LastCosignedAt = _time.GetUtcNow();
        tracked.LastError = null;
        tracked.Failures = 0;
        tracked.NextAttemptAt = DateTimeOffset.MinValue;
        _logger.LogInformation("Witness {Witness} cosigned the checkpoint of tree size {TreeSize}", witness.Name, checkpoint.TreeSize);
        return true;
    }

    private bool Failed(WitnessEndpoint witness, Tracked tracked, string error, LogLevel level)
    {
        tracked.LastError = error;
        tracked.Failures++;
        var pause = TimeSpan.FromSeconds(Math.Min(MaxPause.TotalSeconds, Math.Pow(2, Math.Min(tracked.Failures, 10))));
        tracked.NextAttemptAt = _time.GetUtcNow() + pause;
        _logger.Log(level, "Witness {Witness} did not cosign: {Error}; next attempt in {Pause:0} s", witness.Name, error, pause.TotalSeconds);
        return false;
    }

    private static bool TryParseSize(string body, out long size) =>
        long.TryParse(body.TrimEnd('\n'), NumberStyles.None, CultureInfo.InvariantCulture, out size) && size >= 0;

    private static async Task<string> ReadLimitedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[16 * 1024];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), ct)) > 0) total += read;
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length > MaxErrorLength ? line[..MaxErrorLength] + "…" : line.Length == 0 ? "(no body)" : line;
    }

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var status in Status())
            yield return new Measurement<long>(status.LagLeaves, new KeyValuePair<string, object?>("witness", status.Name));
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }

    public void Dispose() => _http.Dispose();

    private sealed class Tracked
    {
        public long? CosignedSize { get; set; }
        public DateTimeOffset? LastCosignedAt { get; set; }
        public string? LastError { get; set; }
        public DateTimeOffset? LastAttemptAt { get; set; }
        public int Failures { get; set; }
        public DateTimeOffset NextAttemptAt { get; set; } = DateTimeOffset.MinValue;
    }
}
