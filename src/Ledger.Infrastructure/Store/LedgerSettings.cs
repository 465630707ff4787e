using Microsoft.Extensions.Configuration;

namespace Ledger.Infrastructure.Store;

/// <summary>
/// Where the ledger keeps its data. A configured connection string (<c>ConnectionStrings:Ledger</c>,
/// or the environment variable <c>ConnectionStrings__Ledger</c>) wins; otherwise the private cluster
/// that <c>./ops/ledger up</c> starts on 127.0.0.1:55432 is used.
/// </summary>
public sealed record LedgerSettings(string ConnectionString, string Schema, string DataDirectory)
{
    /// <summary>The private cluster's database; its port follows LEDGER_PG_PORT as ops/ledger does.</summary>
    public static string EmbeddedConnectionString =>
        $"Host=127.0.0.1;Port={Environment.GetEnvironmentVariable("LEDGER_PG_PORT") ?? "55432"};Database=ledger;Username=postgres;Max Auto Prepare=50;Auto Prepare Min Usages=2";

    public bool IsEmbedded { get; init; }

    public static LedgerSettings From(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString("Ledger");
        var dataDirectory = configuration["Ledger:DataDirectory"]
            ?? Environment.GetEnvironmentVariable("LEDGER_DATA_DIR")
            ?? Path.Combine(Environment.CurrentDirectory, ".data");
        var schema = configuration["Ledger:Schema"] ?? "ledger";
        return string.IsNullOrWhiteSpace(configured)
            ? new LedgerSettings(EmbeddedConnectionString, schema, dataDirectory) { IsEmbedded = true }
            : new LedgerSettings(configured, schema, dataDirectory);
    }
}
