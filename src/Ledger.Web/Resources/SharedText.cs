namespace Ledger.Web.Resources;

/// <summary>
/// The words every page shares: the layout, common buttons, roles, and each enum value a person sees
/// (keys <c>Enum.{Type}.{Value}</c>). English is the neutral resource, Chinese the <c>zh</c> one; a
/// test fails when a key lacks either.
/// </summary>
public sealed class SharedText;
