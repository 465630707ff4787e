using Ledger.Infrastructure.Resilience;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>Which errors PostgreSQL answers mean "unavailable, try again" (503) and which refuse the request itself.</summary>
public sealed class DatabaseFailuresTests
{
    [Theory]
    [InlineData("08006")] // the connection failed
    [InlineData("53100")] // disk full: pg_wal could not take the commit record (seen in the chaos run's wal-full fault)
    [InlineData("53300")] // too many connections
    [InlineData("57P01")] // administrator shutdown (pg_terminate_backend)
    [InlineData("57P03")] // cannot connect now: starting up
    [InlineData("57P05")] // the session lease ran out (idle_session_timeout)
    [InlineData("58030")] // the server's own I/O failed
    public void A_server_that_cannot_serve_is_unavailable(string sqlState)
    {
        var error = new PostgresException("server trouble", "ERROR", "ERROR", sqlState);

        Assert.True(DatabaseFailures.IsUnavailable(new InvalidOperationException("wrapped", error)));
        Assert.False(DatabaseFailures.IsRefusal(error));
    }

    [Theory]
    [InlineData("23505")] // a unique key
    [InlineData("22P05")] // a value PostgreSQL cannot hold
    [InlineData("57014")] // a statement cancelled: the request's own timeout, not the server going away
    public void An_error_about_the_request_is_a_refusal(string sqlState)
    {
        var error = new PostgresException("refused", "ERROR", "ERROR", sqlState);

        Assert.False(DatabaseFailures.IsUnavailable(error));
        Assert.Same(error, DatabaseFailures.FindRefusal(new InvalidOperationException("wrapped", error)));
    }
}
