using System.Text;
using Npgsql;

namespace Ledger.Infrastructure.Audit;

/// <summary>The from/to filter an auditor's queries share: both ends inclusive, compared in UTC.</summary>
internal static class TimeWindow
{
    public static void AppendTo(StringBuilder sql, NpgsqlCommand command, string column, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } start)
        {
            sql.Append($" and {column} >= @from");
            command.Parameters.AddWithValue("from", start.ToUniversalTime());
        }
        if (to is { } end)
        {
            sql.Append($" and {column} <= @to");
            command.Parameters.AddWithValue("to", end.ToUniversalTime());
        }
    }
}
