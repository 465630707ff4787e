namespace Ledger.Cli.Scenario;

/// <summary>The scenario's clock: each step is recorded at the time the scenario gives it.</summary>
public sealed class ScenarioClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    // PostgreSQL timestamps are written in UTC; a scenario may give local times (e.g. +08:00).
    public void Set(DateTimeOffset now) => _now = now.ToUniversalTime();
}
