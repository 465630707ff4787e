namespace Ledger.Infrastructure.Store;

/// <summary>
/// A table of the ledger's own (accounts, the access log, evidence files) created on first use, once
/// per process: the first caller runs the idempotent DDL, callers at the same moment wait for it, and
/// every later call returns at once. A failed run is tried again by the next caller.
/// </summary>
public sealed class SchemaOnce(Func<CancellationToken, Task> ensure)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready;

    public async Task EnsureAsync(CancellationToken ct)
    {
        if (_ready) return;
        await _gate.WaitAsync(ct);
        try
        {
            if (_ready) return;
            await ensure(ct);
            _ready = true;
        }
        finally
        {
            _gate.Release();
        }
    }
}
