using Microsoft.Extensions.Logging;

namespace Ledger.Projections.Tests.Support;

/// <summary>Keeps the daemon's warnings and errors, so that a test that times out can say why the views stalled.</summary>
public sealed class DaemonLog : ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        lock (_lines) _lines.Add($"{logLevel}: {formatter(state, exception)} {exception}");
    }
}
