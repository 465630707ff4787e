using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Api.Tests.Support;

/// <summary>One entry as the host's loggers wrote it: the formatted message and, if any, the exception's full text.</summary>
public sealed record LogEntry(string Category, LogLevel Level, string Message, string? Exception)
{
    /// <summary>What a console logger would write for it: message and exception text, in UTF-8 bytes.</summary>
    public int Bytes => Encoding.UTF8.GetByteCount(Message) + (Exception is null ? 0 : Encoding.UTF8.GetByteCount(Exception));

    public string Text => Exception is null ? Message : Message + Environment.NewLine + Exception;

    public override string ToString() => $"{Level} {Category}: {Text}";
}

/// <summary>
/// A logger provider of the host's own logging pipeline (so the host's level filters apply, as they do
/// to its console) that keeps every entry in memory for a test to read.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public void Clear() => _entries.Clear();

    public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Capturing(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), exception?.ToString()));
    }
}

/// <summary>The API host with its log kept in memory (<see cref="Logs"/>) and rate limits off.</summary>
public sealed class LoggedHost : LedgerHost
{
    public LogCapture Logs { get; } = new();

    protected override void Customize(IWebHostBuilder builder)
    {
        builder.UseSetting("RateLimits:Enabled", "false");
        builder.ConfigureTestServices(services => services.AddSingleton<ILoggerProvider>(Logs));
    }
}
