using Microsoft.Extensions.Localization;

namespace Ledger.Web.Localization;

public static class Terms
{
    /// <summary>An enum value in words (<c>Enum.{Type}.{Value}</c>), never the code itself.</summary>
    public static string Enum<TEnum>(this IStringLocalizer localizer, TEnum value) where TEnum : struct, Enum =>
        localizer[$"Enum.{typeof(TEnum).Name}.{value}"];

    public static string Role(this IStringLocalizer localizer, string role) => localizer[$"Role.{role}"];
}
