namespace Ledger.Web.Resources;

/// <summary>
/// The auditors' pages' words (/audit…): histories, the record as it was, changes since, the views as
/// they were, the access log, the audit bundle and the verification in the browser. English neutral,
/// Chinese in the <c>zh</c> resource, in the glossary's terms (变更记录, 截至某日状态, 此后变更, 查阅记录, 审计包).
/// </summary>
public sealed class AuditText;
