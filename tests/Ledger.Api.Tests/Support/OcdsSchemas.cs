using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.References;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace Ledger.Api.Tests.Support;

/// <summary>
/// The official OCDS 1.1.5 schemas (JSON Schema draft 4), kept unmodified under Standards/ocds-1.1.5
/// and copied beside the tests. They <c>$ref</c> each other by their published https ids; every such
/// id is answered from the local copy of the file it names, and any other URL is refused, so
/// validating never goes to the network.
/// </summary>
public static partial class OcdsSchemas
{
    private const string PublishedBase = "https://standard.open-contracting.org/schema/1__1__5/";

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Standards", "ocds-1.1.5");

    private static readonly Lazy<Task<JsonSchema>> RecordPackageSchema = new(() => LoadAsync("record-package-schema.json"));

    private static readonly JsonSchemaValidatorSettings Settings = StrictUris();

    /// <summary>Every way <paramref name="package"/> breaks the record package schema, one line each (none: valid).</summary>
    public static async Task<IReadOnlyList<string>> RecordPackageErrorsAsync(JsonNode package) =>
        Describe((await RecordPackageSchema.Value).Validate(package.ToJsonString(), Settings)).ToList();

    private static Task<JsonSchema> LoadAsync(string fileName)
    {
        var path = Path.Combine(Folder, fileName);
        return JsonSchema.FromJsonAsync(File.ReadAllText(path), path, root => new LocalCopies(root));
    }

    /// <summary>The errors a oneOf or a multi-type check holds are listed under it, each with its own path.</summary>
    private static IEnumerable<string> Describe(IEnumerable<ValidationError> errors, string indent = "")
    {
        foreach (var error in errors)
        {
            yield return $"{indent}{error.Path}: {error.Kind}";
            var nested = error switch
            {
                ChildSchemaValidationError child => child.Errors.SelectMany(e => e.Value),
                MultiTypeValidationError multi => multi.Errors.SelectMany(e => e.Value),
                _ => [],
            };
            foreach (var line in Describe(nested, indent + "  "))
                yield return line;
        }
    }

    /// <summary>NJsonSchema's "uri" check is <see cref="Uri.TryCreate(string, UriKind, out Uri)"/> with
    /// UriKind.Absolute, which on Linux takes "/api/…" for a file path and passes it. Draft 4's "uri" is an
    /// RFC 3986 URI, which starts with a scheme: that check replaces NJsonSchema's.</summary>
    private static JsonSchemaValidatorSettings StrictUris()
    {
        var settings = new JsonSchemaValidatorSettings();
        settings.FormatValidators = [.. settings.FormatValidators.Where(v => v.Format != JsonFormatStrings.Uri), new SchemeFirstUri()];
        return settings;
    }

    private sealed partial class SchemeFirstUri : IFormatValidator
    {
        public string Format => JsonFormatStrings.Uri;

        public ValidationErrorKind ValidationErrorKind => ValidationErrorKind.UriExpected;

        public bool IsValid(string value, JTokenType tokenType) => Scheme().IsMatch(value) && Uri.TryCreate(value, UriKind.Absolute, out _);

        [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
        private static partial Regex Scheme();
    }

    private sealed class LocalCopies(JsonSchema root) : JsonReferenceResolver(new JsonSchemaAppender(root, new DefaultTypeNameGenerator()))
    {
        public override async Task<IJsonReference> ResolveUrlReferenceAsync(string url, CancellationToken cancellationToken = default)
        {
            if (!url.StartsWith(PublishedBase, StringComparison.Ordinal))
                throw new InvalidOperationException($"{url} is not one of the OCDS 1.1.5 schemas kept in {Folder}.");
            var path = Path.Combine(Folder, url[PublishedBase.Length..]);
            // The same resolver answers the referenced file's own refs, so each file is read once.
            return await JsonSchema.FromJsonAsync(await File.ReadAllTextAsync(path, cancellationToken), path, _ => this, cancellationToken);
        }
    }
}
