namespace Ledger.Web.Resources;

/// <summary>
/// What each kind of recorded event is called on a page (<c>Event.{Type}</c>, the contract's type
/// name): 记录 of a 填报进展, never the stored name <c>progress_reported.v1</c>.
/// </summary>
public sealed class EventText;
