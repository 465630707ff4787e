namespace Ledger.Web.Resources;

/// <summary>
/// Every refusal a person can meet, as a sentence (<c>Problem.{code}</c>): the deciders' stable codes
/// and the console's own (form_expired, file_required, …). A test fails when a code the domain can
/// throw has no sentence in either language.
/// </summary>
public sealed class ProblemText;
