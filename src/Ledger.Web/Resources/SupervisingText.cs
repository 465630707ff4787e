namespace Ledger.Web.Resources;

/// <summary>
/// The words of the supervisors' pages (overview, overdue queue, rectification tracker, scorecards),
/// the views' refusals among them (<c>Problem.{code}</c>); English neutral, Chinese <c>zh</c>.
/// </summary>
public sealed class SupervisingText;
