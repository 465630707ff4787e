namespace Ledger.Web.Resources;

/// <summary>The words of signing in, changing a password and the accounts' history (<c>Components/Accounts</c>).</summary>
public sealed class AccountsText;
