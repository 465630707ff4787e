using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure;

/// <summary>
/// A settings section as options: bound from configuration (same keys, same environment variables, e.g.
/// <c>ViewSnapshots__Every</c>), checked by its <see cref="IValidateOptions{TOptions}"/> when the host starts,
/// and read through <see cref="IOptions{TOptions}"/>. A value that is set but cannot be used stops the start
/// with one line naming its key: one that does not convert (<c>Clock:Interval=soon</c>) as well as one out of
/// range (<c>Clock:Interval=00:00:00</c>). Unset keys, and keys set to nothing, keep the defaults the settings
/// class declares.
/// </summary>
public static partial class ValidatedSettings
{
    /// <summary>Binds <paramref name="section"/> to <typeparamref name="T"/>, validated when the host starts.</summary>
    public static OptionsBuilder<T> AddValidatedSettings<T, TValidator>(this IServiceCollection services, string section)
        where T : class
        where TValidator : class, IValidateOptions<T>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, TValidator>());
        return services.AddOptions<T>()
            .Configure<IConfiguration>((settings, configuration) => Bind(configuration, section, settings))
            .ValidateOnStart();
    }

    /// <summary>
    /// The section read and validated now, as the host would at start: for the few settings that decide which
    /// services exist, and for the command-line verbs, which run without a host.
    /// </summary>
    public static T Read<T, TValidator>(IConfiguration configuration, string section)
        where T : class, new()
        where TValidator : IValidateOptions<T>, new()
    {
        var settings = new T();
        Bind(configuration, section, settings);
        var result = new TValidator().Validate(Options.DefaultName, settings);
        return result.Failed ? throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures) : settings;
    }

    /// <summary>The one line a start refused for its settings prints, or null when <paramref name="exception"/> is not about settings.</summary>
    public static string? Refusal(Exception exception) => exception switch
    {
        OptionsValidationException refused => refused.Message,
        AggregateException all when all.InnerExceptions.All(e => e is OptionsValidationException) =>
            string.Join("; ", all.InnerExceptions.Select(e => e.Message)),
        _ => null,
    };

    private static void Bind<T>(IConfiguration configuration, string section, T settings) where T : class
    {
        // A key set to nothing (an empty environment variable, a null in JSON) keeps its default, as an unset one does.
        var set = new ConfigurationBuilder().AddInMemoryCollection(configuration.GetSection(section).AsEnumerable(makePathsRelative: true)
            .Where(entry => entry.Key.Length > 0 && !string.IsNullOrWhiteSpace(entry.Value))).Build();
        try
        {
            set.Bind(settings);
        }
        catch (InvalidOperationException failed) when (FailedKey().Match(failed.Message) is { Success: true } match)
        {
            // The binder names the key and the type; the value and what it should look like say more.
            var key = $"{section}:{match.Groups[1].Value}";
            var property = typeof(T).GetProperty(key[(key.LastIndexOf(':') + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            var type = Nullable.GetUnderlyingType(property?.PropertyType ?? typeof(object)) ?? property?.PropertyType;
            throw new OptionsValidationException(key, typeof(T), [$"{key} is not {Expected(type)}: '{configuration[key]}'."]);
        }
    }

    private static string Expected(Type? type) =>
        type == typeof(TimeSpan) ? "a time span (d.hh:mm:ss)"
        : type == typeof(bool) ? "true or false"
        : type == typeof(int) || type == typeof(long) ? "a whole number"
        : type == typeof(double) ? "a number"
        : type is { IsEnum: true } ? "one of " + string.Join(", ", Enum.GetNames(type))
        : "a value of the right kind";

    // "Failed to convert configuration value ['<value>' ]at '<key>' to type '<type>'."
    [GeneratedRegex("^Failed to convert configuration value .*at '([^']+)' to type '[^']+'\\.?$", RegexOptions.Singleline)]
    private static partial Regex FailedKey();
}
