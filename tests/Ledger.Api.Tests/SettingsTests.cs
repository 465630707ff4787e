using System.Diagnostics;
using Ledger.Api.Http;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Clock;
using Ledger.Infrastructure.Daemon;
using Ledger.Infrastructure.Identity;
using Ledger.Infrastructure.Integrity;
using Ledger.Infrastructure.Store;
using Ledger.Infrastructure.Writing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ledger.Api.Tests;

/// <summary>
/// Every settings section is bound as options and checked as the host starts: an unset key keeps its
/// default, and a value that is set but cannot be used stops the start with one line naming its key,
/// whether it does not convert or is out of range.
/// </summary>
public sealed class SettingsTests
{
    private static ServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddLedger(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Unset_keys_keep_their_defaults()
    {
        using var services = Services();
        services.GetRequiredService<IStartupValidator>().Validate();

        var writes = services.GetRequiredService<IOptions<WriteSettings>>().Value;
        Assert.Equal((true, 64, 4_096, TimeSpan.FromSeconds(10)), (writes.GroupCommit, writes.MaxBatch, writes.CachedStreams, writes.ContendedWait));
        var clock = services.GetRequiredService<IOptions<ClockSettings>>().Value;
        Assert.Equal((true, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30), TimeSpan.FromDays(30)), (clock.Enabled, clock.Interval, clock.LeadTime, clock.ReportGrace));
        var idempotency = services.GetRequiredService<IOptions<IdempotencySettings>>().Value;
        Assert.Equal((TimeSpan.FromHours(24), TimeSpan.FromHours(1)), (idempotency.Window, idempotency.CleanupInterval));
        var projections = services.GetRequiredService<IOptions<ProjectionSettings>>().Value;
        Assert.Equal((60d, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)), (projections.MaxLagSeconds, projections.StatusMaxAge, projections.LeadershipPolling));
        var snapshots = services.GetRequiredService<IOptions<ViewSnapshotSettings>>().Value;
        Assert.Equal((true, 100_000L, TimeSpan.FromMinutes(1)), (snapshots.Enabled, snapshots.Every, snapshots.Interval));
        var integrity = services.GetRequiredService<IOptions<IntegrityOptions>>().Value;
        Assert.Equal((TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(5), true, 10_000L, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), 10_000L),
            (integrity.PollInterval, integrity.CheckpointInterval, integrity.Background, integrity.MaxLagEvents, integrity.StatusMaxAge, integrity.WitnessTimeout, integrity.MaxWitnessLagLeaves));
        var auth = services.GetRequiredService<IOptions<AuthSettings>>().Value;
        Assert.Equal((TokenSettings.DefaultIssuer, TokenSettings.DefaultAudience, true, "openid profile ledger"), (auth.Issuer, auth.Audience, auth.RequireHttpsMetadata, auth.Scopes));
        var ledger = services.GetRequiredService<LedgerSettings>();
        Assert.Equal(("ledger", JasperFx.Events.Daemon.DaemonMode.HotCold), (ledger.Schema, ledger.Daemon));
    }

    [Fact]
    public void A_key_set_to_nothing_keeps_its_default()
    {
        using var services = Services(("Clock:Interval", ""), ("Writes:MaxBatch", " "), ("Ledger:Schema", ""));
        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(TimeSpan.FromMinutes(1), services.GetRequiredService<IOptions<ClockSettings>>().Value.Interval);
        Assert.Equal(64, services.GetRequiredService<IOptions<WriteSettings>>().Value.MaxBatch);
        Assert.Equal("ledger", services.GetRequiredService<LedgerSettings>().Schema);
    }

    [Fact]
    public void Values_that_are_set_are_bound_to_their_keys()
    {
        using var services = Services(("Writes:MaxBatch", "8"), ("Writes:GroupCommit", "False"), ("Clock:LeadTime", "7.00:00:00"),
            ("ViewSnapshots:Every", "250"), ("Integrity:Background", "false"), ("Integrity:WitnessTimeout", "00:00:03"),
            ("Projections:MaxLagSeconds", "2.5"), ("Ledger:Daemon", "disabled"), ("Ledger:SessionLease", "0"));
        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal((8, false), (services.GetRequiredService<IOptions<WriteSettings>>().Value.MaxBatch, services.GetRequiredService<IOptions<WriteSettings>>().Value.GroupCommit));
        Assert.Equal(TimeSpan.FromDays(7), services.GetRequiredService<IOptions<ClockSettings>>().Value.LeadTime);
        Assert.Equal(250, services.GetRequiredService<IOptions<ViewSnapshotSettings>>().Value.Every);
        var integrity = services.GetRequiredService<IOptions<IntegrityOptions>>().Value;
        Assert.Equal((false, TimeSpan.FromSeconds(3)), (integrity.Background, integrity.WitnessTimeout));
        Assert.Equal(2.5, services.GetRequiredService<IOptions<ProjectionSettings>>().Value.MaxLagSeconds);
        var ledger = services.GetRequiredService<LedgerSettings>();
        Assert.Equal(JasperFx.Events.Daemon.DaemonMode.ExternallyManaged, ledger.Daemon);
        Assert.DoesNotContain("idle_session_timeout", ledger.ConnectionString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Writes:MaxBatch", "0", "Writes:MaxBatch must be a whole number from 1 to 1000: '0'.")]
    [InlineData("Writes:MaxBatch", "many", "Writes:MaxBatch is not a whole number: 'many'.")]
    [InlineData("Writes:CachedStreams", "-1", "Writes:CachedStreams must be a whole number from 0 to 1000000: '-1'.")]
    [InlineData("Writes:GroupCommit", "yes", "Writes:GroupCommit is not true or false: 'yes'.")]
    [InlineData("Writes:ContendedWait", "soon", "Writes:ContendedWait is not a time span (d.hh:mm:ss): 'soon'.")]
    [InlineData("Writes:ContendedWait", "00:00:00", "Writes:ContendedWait must be a time from 00:00:00.001 to 00:05:00: '00:00:00'.")]
    [InlineData("Writes:ContendedWait", "01:00:00", "Writes:ContendedWait must be a time from 00:00:00.001 to 00:05:00: '01:00:00'.")]
    [InlineData("Clock:Interval", "00:00:00", "Clock:Interval must be positive.")]
    [InlineData("Clock:LeadTime", "1.12:00:00", "Clock:LeadTime must be a whole number of days, zero or more (e.g. 30.00:00:00).")]
    [InlineData("Clock:Enabled", "on", "Clock:Enabled is not true or false: 'on'.")]
    [InlineData("Idempotency:Window", "-01:00:00", "Idempotency:Window must be positive.")]
    [InlineData("Projections:MaxLagSeconds", "-1", "Projections:MaxLagSeconds must be a number of seconds, zero or more: '-1'.")]
    [InlineData("Projections:MaxLagSeconds", "a minute", "Projections:MaxLagSeconds is not a number: 'a minute'.")]
    [InlineData("Projections:LeadershipPolling", "00:00:00", "Projections:LeadershipPolling must be a positive TimeSpan (d.hh:mm:ss.fff): '00:00:00'.")]
    [InlineData("ViewSnapshots:Every", "0", "ViewSnapshots:Every is a number of events, 1 or more: '0'.")]
    [InlineData("ViewSnapshots:Enabled", "maybe", "ViewSnapshots:Enabled is not true or false: 'maybe'.")]
    [InlineData("Integrity:PollInterval", "00:00:00", "Integrity:PollInterval must be a positive time span (d.hh:mm:ss.fff): '00:00:00'.")]
    [InlineData("Integrity:MaxWitnessLagLeaves", "-5", "Integrity:MaxWitnessLagLeaves must be a number of leaves, zero or more: '-5'.")]
    [InlineData("Integrity:Background", "sometimes", "Integrity:Background is not true or false: 'sometimes'.")]
    [InlineData("Auth:SigningKey", "not base64!", "Auth:SigningKey is not base64 (32 random bytes, e.g. from openssl rand -base64 32).")]
    [InlineData("Auth:RequireHttpsMetadata", "sometimes", "Auth:RequireHttpsMetadata is not true or false: 'sometimes'.")]
    public void A_value_that_cannot_be_used_stops_the_start_in_one_line_naming_its_key(string key, string value, string message)
    {
        // Clock:Enabled and ViewSnapshots:Enabled decide which services exist, so their sections are checked as
        // the services are registered; the others as the host starts.
        var refused = Assert.Throws<OptionsValidationException>(() =>
        {
            using var services = Services((key, value));
            services.GetRequiredService<IStartupValidator>().Validate();
        });

        Assert.Equal(message, refused.Message);
    }

    [Theory]
    [InlineData("Ledger:Daemon", "Sometimes", "Ledger:Daemon is not one of HotCold, Disabled: 'Sometimes'.")]
    [InlineData("Ledger:Daemon", "7", "Ledger:Daemon is '7'; it must be HotCold or Disabled.")]
    [InlineData("Ledger:SupervisorReads", "Replica", "Ledger:SupervisorReads is not one of Primary, PreferStandby: 'Replica'.")]
    [InlineData("Ledger:SupervisorReads", "3", "Ledger:SupervisorReads is '3'; it must be Primary or PreferStandby.")]
    [InlineData("Ledger:StandbyMaxLag", "00:00:00", "Ledger:StandbyMaxLag must be a positive time span, e.g. 00:00:05, not '00:00:00'")]
    [InlineData("Witnesses:0:Url", "ftp://witness.example", "Witnesses:0:Url must be the witness's http(s) address, e.g. http://127.0.0.1:7380 (it is 'ftp://witness.example').")]
    [InlineData("Ledger:SessionLease", "00:00:02", "Ledger:SessionLease must be 0 (no lease) or a time span of at least 4 s, e.g. 00:00:30, not '00:00:02'")]
    [InlineData("Integrity:Origin", "pilot zone+1", "Integrity:KeyName (the origin, unless set) must be non-empty and contain no white space, control characters or '+' (a signed note's key name): 'pilot zone+1'.")]
    [InlineData("Integrity:KeyName", "pilot key", "Integrity:KeyName must be non-empty and contain no white space, control characters or '+' (a signed note's key name): 'pilot key'.")]
    [InlineData("Integrity:Origin", "ledger.local/\u0007bell", "Integrity:Origin must be non-empty, well-formed Unicode and free of control characters: 'ledger.local/\u0007bell'.")]
    public void The_ledger_section_and_the_witnesses_are_checked_when_the_services_are_registered(string key, string value, string message)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Services((key, value)));

        Assert.Equal(message, refused.Message);
        Assert.Equal(message, ValidatedSettings.Refusal(refused));
    }

    [Fact]
    public void The_rate_limits_are_refused_the_same_way()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["RateLimits:Burst"] = "0" }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLedgerRateLimits().BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal("RateLimits:PermitsPerSecond and RateLimits:Burst must be positive.", refused.Message);
    }

    [Fact]
    public void Several_values_that_cannot_be_used_are_named_together_on_one_line()
    {
        using var services = Services(("Writes:MaxBatch", "0"), ("Writes:CachedStreams", "-1"), ("Idempotency:Window", "00:00:00"));

        var refused = Assert.Throws<AggregateException>(() => services.GetRequiredService<IStartupValidator>().Validate());
        var line = ValidatedSettings.Refusal(refused);

        Assert.NotNull(line);
        Assert.DoesNotContain('\n', line);
        Assert.Contains("Writes:MaxBatch must be", line, StringComparison.Ordinal);
        Assert.Contains("Writes:CachedStreams must be", line, StringComparison.Ordinal);
        Assert.Contains("Idempotency:Window must be positive", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_given_a_value_that_cannot_be_used_refuses_to_start_and_names_the_key()
    {
        var host = new BadSnapshotsHost();
        try
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(host.InitializeAsync);

            Assert.Contains("ViewSnapshots:Every is a number of events, 1 or more: '0'.", refused.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task The_API_process_given_a_value_that_cannot_be_used_prints_one_line_and_exits_non_zero()
    {
        var api = Path.Combine(AppContext.BaseDirectory, "Ledger.Api.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(api);
        start.Environment["ViewSnapshots__Every"] = "0";
        start.Environment["ConnectionStrings__Ledger"] = TestDatabase.ConnectionString;
        start.Environment["Ledger__Schema"] = TestDatabase.NewSchemaName("settings");
        start.Environment["Urls"] = "http://127.0.0.1:0";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, process.ExitCode);
        Assert.Equal("ledger-api: ViewSnapshots:Every is a number of events, 1 or more: '0'.", (await error).Trim());
        Assert.DoesNotContain(" at ", await output, StringComparison.Ordinal);
    }

    private sealed class BadSnapshotsHost : LedgerHost
    {
        protected override void Customize(IWebHostBuilder builder) => builder.UseSetting("ViewSnapshots:Every", "0");
    }
}

/// <summary>
/// The command-line tool reads the same sections from the environment (<c>Section__Key</c>): a value it cannot
/// use is one line naming the key and exit 1, never a stack trace. The environment is process-wide, so these
/// run in the collection that runs alone.
/// </summary>
[Collection(AuditCliCollection.Name)]
public sealed class SettingsVerbTests : IDisposable
{
    private static readonly string[] Variables = ["Auth__SigningKey", "Ledger__Daemon", "Ledger__SessionLease", "LEDGER_DATA_DIR"];
    private readonly SavedEnvironment _saved = new(Variables);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ledger-settings-").FullName;

    public SettingsVerbTests() => Environment.SetEnvironmentVariable("LEDGER_DATA_DIR", _dataDirectory);

    public void Dispose()
    {
        _saved.Restore();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Theory]
    [InlineData("Auth__SigningKey", "not base64!", "ledger: Auth:SigningKey is not base64 (32 random bytes, e.g. from openssl rand -base64 32).")]
    [InlineData("Ledger__Daemon", "Sometimes", "ledger: Ledger:Daemon is not one of HotCold, Disabled: 'Sometimes'.")]
    [InlineData("Ledger__SessionLease", "soon", "ledger: Ledger:SessionLease is not a time span (d.hh:mm:ss): 'soon'.")]
    public async Task A_verb_given_a_value_that_cannot_be_used_prints_one_line_naming_the_key(string variable, string value, string line)
    {
        Environment.SetEnvironmentVariable(variable, value);

        var (exit, output, error) = await LedgerTool.RunAsync(null, "token", "--role", "auditor");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal(line, error.TrimEnd('\n'));
    }

    [Fact]
    public async Task A_verb_given_usable_values_in_the_environment_runs()
    {
        Environment.SetEnvironmentVariable("Auth__SigningKey", Convert.ToBase64String(new byte[32]));
        Environment.SetEnvironmentVariable("Ledger__Daemon", "disabled");

        var (exit, output, error) = await LedgerTool.RunAsync(null, "token", "--role", "auditor");

        Assert.True(exit == 0, error);
        Assert.Equal(3, output.Trim().Split('.').Length);
    }
}
