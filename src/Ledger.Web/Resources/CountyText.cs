namespace Ledger.Web.Resources;

/// <summary>The county official's pages: my commitments, what is due, and the forms to report, correct, attach, claim, answer and appeal.</summary>
public sealed class CountyText;
