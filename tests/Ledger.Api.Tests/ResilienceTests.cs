using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Ledger.Infrastructure.Resilience;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly.CircuitBreaker;

namespace Ledger.Api.Tests;

/// <summary>
/// Start-up waits for PostgreSQL with retries and gives up within its total timeout with a message
/// that says what it waited for; readiness stops trying a database that is down.
/// </summary>
public sealed class ResilienceTests
{
    private static readonly ResilienceSettings Quick = new()
    {
        StartupTimeout = TimeSpan.FromSeconds(10),
        FirstDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(50),
    };

    [Fact]
    public async Task A_host_whose_database_never_answers_fails_to_start_after_retrying_within_its_timeout()
    {
        var port = ClosedPort();
        await using var app = LedgerApi.Build(
        [
            $"--ConnectionStrings:Ledger=Host=127.0.0.1;Port={port};Database=ledger;Username=postgres",
            "--Ledger:Schema=never_created",
            $"--Auth:SigningKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            "--Resilience:StartupTimeout=00:00:02",
            "--Resilience:FirstDelay=00:00:00.050",
            "--Resilience:MaxDelay=00:00:00.500",
        ], builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Logging.ClearProviders();
        });

        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        clock.Stop();

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(20));
        Assert.Contains($"PostgreSQL at 127.0.0.1:{port}/ledger did not answer within 00:00:02", failure.Message, StringComparison.Ordinal);
        var attempts = int.Parse(System.Text.RegularExpressions.Regex.Match(failure.Message, @"\((\d+) attempts\)").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(attempts >= 3, failure.Message);
        Assert.IsType<NpgsqlException>(failure.InnerException, exactMatch: false);
    }

    [Fact]
    public async Task The_start_up_pipeline_retries_a_transient_failure_and_then_succeeds()
    {
        var calls = 0;

        var result = await StartupResilience.ForStartup(Quick).ExecuteAsync(_ =>
        {
            calls++;
            if (calls <= 2) throw new NpgsqlException("connection refused", new SocketException((int)SocketError.ConnectionRefused));
            return ValueTask.FromResult("connected");
        });

        Assert.Equal("connected", result);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task The_start_up_pipeline_does_not_retry_what_waiting_will_not_mend()
    {
        var calls = 0;

        await Assert.ThrowsAsync<NpgsqlException>(async () => await StartupResilience.ForStartup(Quick).ExecuteAsync(_ =>
        {
            calls++;
            throw new NpgsqlException("password authentication failed");
        }));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Readiness_stops_trying_a_database_that_keeps_failing()
    {
        var readiness = StartupResilience.ForReadiness(new ResilienceSettings { ReadinessBreak = TimeSpan.FromMinutes(1) });
        var calls = 0;
        ValueTask Down(CancellationToken _)
        {
            calls++;
            throw new NpgsqlException("connection refused", new SocketException((int)SocketError.ConnectionRefused));
        }

        await Assert.ThrowsAsync<NpgsqlException>(async () => await readiness.ExecuteAsync(Down));
        await Assert.ThrowsAsync<NpgsqlException>(async () => await readiness.ExecuteAsync(Down));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await readiness.ExecuteAsync(Down));

        Assert.Equal(2, calls);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1));
    }

    // A port that was just free: nothing listens there, so connecting is refused at once.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
