using Ledger.Api.Http;
using Ledger.Infrastructure;
using Ledger.Infrastructure.Writing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Ledger.Api.Tests;

/// <summary>What a write that could not land on a contended stream is told, and how long it is tried.</summary>
public sealed class ContendedAnswerTests
{
    [Fact]
    public void A_write_without_a_condition_that_kept_losing_is_asked_to_come_back_not_refused()
    {
        var (status, code, detail, field) = ProblemMapping.Map(new StreamContended("commitment/a", TimeSpan.FromSeconds(10)));
        Assert.Equal(503, status);
        Assert.Equal("stream_busy", code);
        Assert.Contains("nothing was recorded", detail, StringComparison.Ordinal);
        Assert.Null(field);
        // A stale If-Match is still the client's 412.
        Assert.Equal(412, ProblemMapping.Map(new StreamVersionConflict("commitment/a", 3, 4)).Status);
    }

    [Theory]
    [InlineData(null, 10_000)]
    [InlineData("00:00:02", 2_000)]
    [InlineData("00:05:00", 300_000)]
    public void The_wait_is_configured_in_Writes(string? setting, int milliseconds)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Writes:ContendedWait"] = setting }).Build();
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ValidatedSettings.Read<WriteSettings, WriteSettingsValidator>(configuration, WriteSettings.Section).ContendedWait);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("00:00:00")]
    [InlineData("01:00:00")]
    public void A_wait_that_cannot_be_used_stops_the_start_naming_the_setting(string setting)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Writes:ContendedWait"] = setting }).Build();
        var ex = Assert.Throws<OptionsValidationException>(() => ValidatedSettings.Read<WriteSettings, WriteSettingsValidator>(configuration, WriteSettings.Section));
        Assert.StartsWith("Writes:ContendedWait ", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith($"'{setting}'.", ex.Message, StringComparison.Ordinal);
    }
}
