namespace Ledger.Web.Resources;

/// <summary>
/// The commitment page's own words (<c>/commitments/{id}</c>): its sections, the supervisor's forms, the
/// sentences for the refusals those forms can meet (<c>Problem.{code}</c>), units and the timeline's
/// phrases. English neutral, Chinese <c>zh</c>, every key in both.
/// </summary>
public sealed class CommitmentText;
