namespace Ledger.Api.Http;

/// <summary>Input the API refuses before any decision is made; answered as problem+json.</summary>
public sealed class RequestRejected(int status, string code, string message, string? field = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string? Field { get; } = field;
}
