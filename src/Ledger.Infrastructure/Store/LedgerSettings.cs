using Microsoft.Extensions.Configuration;
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

    public static LedgerSettings From(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString("Ledger");
        var owner = configuration.GetConnectionString("LedgerOwner");
        var dataDirectory = configuration["Ledger:DataDirectory"]
            ?? Environment.GetEnvironmentVariable("LEDGER_DATA_DIR")
            ?? Path.Combine(Environment.CurrentDirectory, ".data");
        var schema = configuration["Ledger:Schema"] ?? "ledger";
        var lease = SessionLease.Read(configuration[SessionLease.Setting]);
        string Leased(string connectionString) => lease is { } l ? SessionLease.Apply(connectionString, l) : connectionString;
        if (string.IsNullOrWhiteSpace(configured))
        {
            // The owner's connection alone would leave the application on the private cluster and the
            // schema somewhere else.
            if (!string.IsNullOrWhiteSpace(owner))
                throw new InvalidOperationException("ConnectionStrings:LedgerOwner is set but ConnectionStrings:Ledger is not: configure both, or neither for the private cluster");
            return new LedgerSettings(Leased(EmbeddedConnectionString), schema, dataDirectory) { IsEmbedded = true, OwnerConnectionString = EmbeddedOwnerConnectionString };
        }
        return new LedgerSettings(Leased(configured), schema, dataDirectory) { OwnerConnectionString = string.IsNullOrWhiteSpace(owner) ? configured : owner };
    }
}
