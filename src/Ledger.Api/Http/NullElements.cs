using System.Collections;
using System.Reflection;
using System.Text.Json.Serialization.Metadata;

namespace Ledger.Api.Http;

/// <summary>
/// Refuses a null element in a request's list whose elements are not nullable (<c>"parties": [{…}, null]</c>).
/// The serializer checks nullable annotations on properties, not on a list's elements, so the null went
/// through: a handler dereferenced it (500), or a null string landed in an event for good (201).
/// A resolver modifier rather than a converter, so the OpenAPI document still sees the lists' types.
/// </summary>
public static class NullElements
{
    public static void Refuse(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        var context = new NullabilityInfoContext();
        var lists = new List<(string Name, Func<object, object?> Get)>();
        foreach (var property in info.Properties)
        {
            if (property.Get is null || property.AttributeProvider is not PropertyInfo member || !IsListOfReferences(property.PropertyType)) continue;
            var nullability = context.Create(member);
            var element = nullability.ElementType ?? nullability.GenericTypeArguments.FirstOrDefault();
            if (element?.ReadState == NullabilityState.NotNull) lists.Add((property.Name, property.Get));
        }
        if (lists.Count == 0) return;

        var before = info.OnDeserialized;
        info.OnDeserialized = value =>
        {
            before?.Invoke(value);
            foreach (var (name, get) in lists)
            {
                if (get(value) is not IEnumerable elements) continue;
                var index = 0;
                foreach (var element in elements)
                {
                    // Named from the object that holds the list (the request's own fields for a top-level list).
                    if (element is null)
                        throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_value", $"'{name}[{index}]' must not be null.", $"{name}[{index}]");
                    index++;
                }
            }
        };
    }

    private static bool IsListOfReferences(Type type)
    {
        var element = type.IsArray ? type.GetElementType()
            : type.IsGenericType && type.GetGenericArguments() is [var only] && typeof(IEnumerable).IsAssignableFrom(type) ? only
            : null;
        return element is { IsValueType: false };
    }
}
