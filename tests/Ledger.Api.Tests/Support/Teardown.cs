namespace Ledger.Api.Tests.Support;

/// <summary>
/// Shutting a fixture's host down once its tests have run. The test runner names a failed cleanup by
/// its exception's type alone, so whatever a host throws here is written whole to
/// <c>artifacts/test-results/teardown.log</c>, which <c>./ops/ledger test</c> prints.
///
/// An <see cref="ObjectDisposedException"/> — a background loop meeting a service the container has
/// already disposed — has nothing left to tell the tests whose class is ending: it is reported there
/// and does not fail the class. Any other exception still does.
/// </summary>
public static class Teardown
{
    private static readonly Lock Writing = new();

    public static async Task DisposeAsync(IAsyncDisposable host, string owner)
    {
        try
        {
            await host.DisposeAsync();
        }
        catch (Exception e)
        {
            Report(owner, e);
            if (e is not ObjectDisposedException) throw;
        }
    }

    private static void Report(string owner, Exception e)
    {
        var folder = Path.Combine(Repository.Root, "artifacts", "test-results");
        Directory.CreateDirectory(folder);
        lock (Writing)
            File.AppendAllText(Path.Combine(folder, "teardown.log"), $"{DateTimeOffset.UtcNow:O} {owner}: {e}{Environment.NewLine}");
    }
}
