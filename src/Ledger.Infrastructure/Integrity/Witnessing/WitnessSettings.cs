using Ledger.Integrity.Checkpoints;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure.Integrity;

/// <summary>
/// A witness the ledger asks to cosign its checkpoints (C2SP tlog-witness): where it listens (its submission
/// prefix; <c>/add-checkpoint</c> is appended) and the key it cosigns with (a type 0x04 verifier key, whose
/// name is the witness's name).
/// </summary>
public sealed record WitnessEndpoint(string Name, Uri Url, NoteVerifierKey Key);

/// <summary>
/// The witnesses of <c>Witnesses:N:Url</c>, <c>Witnesses:N:Name</c> and <c>Witnesses:N:VerifierKey</c>
/// (environment: <c>Witnesses__0__Url</c>, …); how long the ledger waits for each one's answer is
/// <see cref="IntegrityOptions.WitnessTimeout"/>.
/// </summary>
public static class WitnessSettings
{
    /// <summary>The configured witnesses; a setting that cannot be used stops the start with a sentence naming it.</summary>
    public static IReadOnlyList<WitnessEndpoint> From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var witnesses = new List<WitnessEndpoint>();
        foreach (var section in configuration.GetSection("Witnesses").GetChildren().OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var at = $"Witnesses:{section.Key}";
            var url = section["Url"];
            var keyText = section["VerifierKey"];
            if (string.IsNullOrWhiteSpace(url) && string.IsNullOrWhiteSpace(keyText) && string.IsNullOrWhiteSpace(section["Name"]))
                continue;
            if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw Refused($"{at}:Url must be the witness's http(s) address, e.g. http://127.0.0.1:7380 (it is '{url}').");
            if (!NoteVerifierKey.TryParse(keyText?.Trim(), out var key, out var reason))
                throw Refused($"{at}:VerifierKey is not a verifier key ({reason}); `ledger witness keygen` prints it.");
            if (!key.IsCosigner)
                throw Refused($"{at}:VerifierKey is a log's key (type 0x01); a witness cosigns with a type 0x04 key.");
            var name = string.IsNullOrWhiteSpace(section["Name"]) ? key.Name : section["Name"]!.Trim();
            if (!string.Equals(name, key.Name, StringComparison.Ordinal))
                throw Refused($"{at}:Name is '{name}' but its verifier key is named '{key.Name}': a witness signs under its key's name.");
            if (witnesses.Any(w => w.Name == name))
                throw Refused($"{at}: the witness {name} is configured twice.");
            witnesses.Add(new WitnessEndpoint(name, uri, key));
        }
        return witnesses;
    }

    // As a section checked at start refuses: the API and the verbs print it as one line.
    private static OptionsValidationException Refused(string message) => new("Witnesses", typeof(WitnessEndpoint), [message]);
}
