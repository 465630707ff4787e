namespace Ledger.Infrastructure.Audit;

/// <summary>
/// A question the audit reads refuse before reading anything (a time in the future, a version the
/// stream never had, an id the ledger never recorded), with the HTTP status the API answers, a stable
/// code and the input at fault. The API answers it as problem+json; the console shows it beside the field.
/// </summary>
public sealed class AuditRequestException(int status, string code, string message, string? field = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string? Field { get; } = field;
}
