namespace Ledger.Cli.Scenario;

/// <summary>The scenario's clock: each step is recorded at the time the scenario gives it.</summary>
public sealed class ScenarioClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Set(DateTimeOffset now) => _now = now;
}
