using JasperFx.Events.Daemon;
using Ledger.Infrastructure.Daemon;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Infrastructure.Store;

/// <summary>
/// Where the ledger keeps its data, and as whom. A configured connection string (<c>ConnectionStrings:Ledger</c>,
/// or the environment variable <c>ConnectionStrings__Ledger</c>) wins; otherwise the private cluster
/// that <c>./ops/ledger up</c> starts on 127.0.0.1:55432 is used. <see cref="ConnectionString"/> is the
/// application's role, which the API and most verbs use; <see cref="OwnerConnectionString"/> is the
/// schema owner's, which setup, import, rebuild and reset use (<c>ConnectionStrings:LedgerOwner</c>,
/// else the one connection string; on the private cluster <c>ledger_owner</c>). ops/docs/roles.md.
/// The application's sessions carry the <see cref="SessionLease"/> when one is configured.
/// </summary>
public sealed record LedgerSettings(string ConnectionString, string Schema, string DataDirectory)
{
    /// <summary>The private cluster's database as the application's role; its port follows LEDGER_PG_PORT as ops/ledger does.</summary>
    public static string EmbeddedConnectionString => Embedded(LedgerRoles.DefaultAppRole);

    /// <summary>The private cluster's database as the schema's owner.</summary>
    public static string EmbeddedOwnerConnectionString => Embedded(LedgerRoles.DefaultOwnerRole);

    private static string Embedded(string role) =>
        $"Host=127.0.0.1;Port={Environment.GetEnvironmentVariable("LEDGER_PG_PORT") ?? "55432"};Database=ledger;Username={role};Max Auto Prepare=50;Auto Prepare Min Usages=2";

    public bool IsEmbedded { get; init; }

    /// <summary>The cooperation zone this node serves (<c>Ledger:Zone</c>, default <c>pilot-zone</c>): its database's, and its tokens'.</summary>
    public string Zone { get; init; } = Zones.ZoneId.Default;

    /// <summary>Whether this process hosts the projection daemon (<c>Ledger:Daemon</c>).</summary>
    public DaemonMode Daemon { get; init; } = DaemonMode.HotCold;

    /// <summary>Where the supervision views are read (<c>Ledger:SupervisorReads</c>, <see cref="Daemon.SupervisorReads"/>).</summary>
    public SupervisorReadChoice SupervisorReads { get; init; } = SupervisorReadChoice.Primary;

    /// <summary>How far a standby's views may trail the primary's before a supervisor's query goes to the primary (<c>Ledger:StandbyMaxLag</c>).</summary>
    public TimeSpan StandbyMaxLag { get; init; } = LedgerOptions.DefaultStandbyMaxLag;

    /// <summary>The schema owner's connection: the one connection string unless another is configured.</summary>
    public string OwnerConnectionString { get; init; } = ConnectionString;

    /// <summary>
    /// The role the application connects as, when the owner's connection names another one: setup then
    /// grants it <see cref="LedgerRoles.GrantsSql"/>. Null when both connect as one role (a ledger whose
    /// guard its own application could switch off; ops/docs/roles.md).
    /// </summary>
    public string? SeparateAppRole
    {
        get
        {
            var app = new NpgsqlConnectionStringBuilder(ConnectionString).Username;
            var owner = new NpgsqlConnectionStringBuilder(OwnerConnectionString).Username;
            return string.IsNullOrEmpty(app) || string.Equals(app, owner, StringComparison.Ordinal) ? null : app;
        }
    }

    /// <summary>
    /// The connection strings and section <c>Ledger</c> (<see cref="LedgerOptions"/>), read when the services are
    /// registered: they decide which database every service uses. A setting that cannot be used throws
    /// <see cref="OptionsValidationException"/> naming its key, as a section checked at start does.
    /// </summary>
    public static LedgerSettings From(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString("Ledger");
        var owner = configuration.GetConnectionString("LedgerOwner");
        var options = ValidatedSettings.Read<LedgerOptions, LedgerOptionsValidator>(configuration, LedgerOptions.Section);
        var dataDirectory = options.DataDirectory
            ?? Environment.GetEnvironmentVariable("LEDGER_DATA_DIR")
            ?? Path.Combine(Environment.CurrentDirectory, ".data");
        var schema = options.Schema;
        var daemon = DaemonSetting.Mode(options.Daemon);
        var lease = options.SessionLease is { } set && set > TimeSpan.Zero ? set : (TimeSpan?)null;
        string Leased(string connectionString) => lease is { } l ? SessionLease.Apply(connectionString, l) : connectionString;
        if (string.IsNullOrWhiteSpace(configured))
        {
            // The owner's connection alone would leave the application on the private cluster and the
            // schema somewhere else.
            if (!string.IsNullOrWhiteSpace(owner))
                throw new OptionsValidationException("ConnectionStrings", typeof(LedgerSettings),
                    ["ConnectionStrings:LedgerOwner is set but ConnectionStrings:Ledger is not: configure both, or neither for the private cluster"]);
            return new LedgerSettings(Leased(EmbeddedConnectionString), schema, dataDirectory)
            {
                IsEmbedded = true, OwnerConnectionString = EmbeddedOwnerConnectionString, Daemon = daemon,
                SupervisorReads = options.SupervisorReads, StandbyMaxLag = options.StandbyMaxLag, Zone = options.Zone,
            };
        }
        return new LedgerSettings(Leased(configured), schema, dataDirectory)
        {
            OwnerConnectionString = string.IsNullOrWhiteSpace(owner) ? configured : owner, Daemon = daemon,
            SupervisorReads = options.SupervisorReads, StandbyMaxLag = options.StandbyMaxLag, Zone = options.Zone,
        };
    }
}

/// <summary>
/// Section <c>Ledger</c>: the schema the ledger lives in (<c>Schema</c>, default <c>ledger</c>), its data folder
/// (<c>DataDirectory</c>, else the environment variable <c>LEDGER_DATA_DIR</c>, else <c>.data</c> in the
/// working folder), the lease on its sessions (<c>SessionLease</c>, <see cref="Store.SessionLease"/>; unset or
/// 0 for none), whether this process hosts the projection daemon (<c>Daemon</c>, <see cref="DaemonSetting"/>),
/// where supervisors' view queries go (<c>SupervisorReads</c>: Primary or PreferStandby; <c>StandbyMaxLag</c>,
/// default 5 s: ops/docs/deployment.md), and the cooperation zone it serves (<c>Zone</c>, default <c>pilot-zone</c>;
/// <see cref="Zones.ZoneId"/>).
/// </summary>
public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    public string Schema { get; set; } = "ledger";

    public string? DataDirectory { get; set; }

    public TimeSpan? SessionLease { get; set; }

    public DaemonChoice Daemon { get; set; } = DaemonChoice.HotCold;

    public static readonly TimeSpan DefaultStandbyMaxLag = TimeSpan.FromSeconds(5);

    public SupervisorReadChoice SupervisorReads { get; set; } = SupervisorReadChoice.Primary;

    public TimeSpan StandbyMaxLag { get; set; } = DefaultStandbyMaxLag;

    public string Zone { get; set; } = Zones.ZoneId.Default;
}

/// <summary>Refuses a section <c>Ledger</c> that cannot be used, naming the key.</summary>
public sealed class LedgerOptionsValidator : IValidateOptions<LedgerOptions>
{
    public ValidateOptionsResult Validate(string? name, LedgerOptions options)
    {
        var failures = new List<string>();
        if (options.SessionLease is { } lease && (lease < TimeSpan.Zero || (lease > TimeSpan.Zero && lease < Store.SessionLease.Shortest)))
            failures.Add($"{Store.SessionLease.Setting} must be 0 (no lease) or a time span of at least {Store.SessionLease.Shortest.TotalSeconds:0} s, e.g. 00:00:30, not '{lease:c}'");
        if (!Zones.ZoneId.IsValid(options.Zone))
            failures.Add($"{Zones.ZoneId.Setting} must be a zone id ({Zones.ZoneId.Rule}), e.g. pilot-zone, not '{options.Zone}'");
        if (!Enum.IsDefined(options.Daemon))
            failures.Add($"{DaemonSetting.Key} is '{(int)options.Daemon}'; it must be HotCold or Disabled.");
        if (!Enum.IsDefined(options.SupervisorReads))
            failures.Add($"{Daemon.SupervisorReads.Setting} is '{(int)options.SupervisorReads}'; it must be Primary or PreferStandby.");
        if (options.StandbyMaxLag <= TimeSpan.Zero)
            failures.Add($"{Daemon.SupervisorReads.MaxLagSetting} must be a positive time span, e.g. 00:00:05, not '{options.StandbyMaxLag:c}'");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
