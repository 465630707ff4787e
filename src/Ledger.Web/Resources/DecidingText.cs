namespace Ledger.Web.Resources;

/// <summary>
/// The words of the decision level's page (escalations and amendments), the deciders' refusals among
/// them (<c>Problem.{code}</c>); English neutral, Chinese <c>zh</c>.
/// </summary>
public sealed class DecidingText;
