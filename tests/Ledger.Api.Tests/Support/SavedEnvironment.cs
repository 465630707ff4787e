namespace Ledger.Api.Tests.Support;

/// <summary>
/// Environment variables as they stood when a test class began to change them for the in-process tool,
/// put back by <see cref="Restore"/> when it is done.
/// </summary>
public sealed class SavedEnvironment(IEnumerable<string> names)
{
    private readonly Dictionary<string, string?> _values = names.ToDictionary(name => name, Environment.GetEnvironmentVariable);

    public void Restore()
    {
        foreach (var (name, value) in _values) Environment.SetEnvironmentVariable(name, value);
    }
}
