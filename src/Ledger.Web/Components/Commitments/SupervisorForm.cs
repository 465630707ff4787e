using System.Globalization;
using Ledger.Contracts;
using Ledger.Domain.Commitments;
using Ledger.Web.Resources;
using Ledger.Web.Writing;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Localization;

namespace Ledger.Web.Components.Commitments;

/// <summary>
/// What the supervisor's forms on the commitment page share: they append through
/// <see cref="ConsoleCommands"/> (the API's writer and the same <see cref="CommitmentDecider"/> the
/// endpoints call), each with its own form key, so a double submit appends once; a refusal is shown
/// beside the field the decider named, as a sentence in the page's language. After an append the page
/// reads the commitment again (the record is written with the event) and the form starts afresh
/// under a new key; a resubmission of the old one is answered with the first result, not appended.
/// </summary>
public abstract class SupervisorForm : ComponentBase
{
    [Inject] protected ConsoleCommands Commands { get; set; } = default!;
    [Inject] private IStringLocalizer<ProblemText> P { get; set; } = default!;
    [CascadingParameter] protected CommitmentWords W { get; set; } = default!;
    [CascadingParameter] protected CommitmentDossier D { get; set; } = default!;
    [CascadingParameter] private HttpContext? Http { get; set; }
    /// <summary>The page's reload after an append (it reads the commitment again and says what was recorded).</summary>
    [CascadingParameter(Name = CommitmentPage.Appended)] private EventCallback<string> Appended { get; set; }

    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    /// <summary>A refusal that names no field of this form (the commitment's status, an open escalation, an expired form).</summary>
    protected string? FormError { get; private set; }

    protected bool HasErrors => _errors.Count > 0 || FormError is not null;

    /// <summary>The form's fold opens by itself to show a refusal.</summary>
    protected bool? Open => HasErrors ? true : null;

    /// <summary>A fresh, empty input under a new form key, after an append.</summary>
    protected abstract void StartAfresh();

    /// <summary>The message beside <paramref name="field"/> (the decider's field name), if any.</summary>
    protected string? Error(string field) => _errors.GetValueOrDefault(field);

    protected string Invalid(string field) => _errors.ContainsKey(field) ? "field invalid" : "field";

    protected string? DescribedBy(string id, string field) => _errors.ContainsKey(field) ? id + "-error" : null;

    /// <summary>The fields this form shows (the decider's names); a refusal naming another field is shown above the form.</summary>
    protected abstract IReadOnlyCollection<string> Fields { get; }

    protected void Refuse(string field, string code) => _errors[field] = Sentence(code);

    /// <summary>
    /// The id a form appends under, fixed by the form key it was rendered with, so a resubmitted form
    /// names the same assessment or order again. The key ends in a version 7 GUID, whose last twelve
    /// hex digits are random.
    /// </summary>
    protected static string IdFromKey(string prefix, string formKey)
    {
        var hex = new string([.. formKey.Where(char.IsAsciiHexDigitLower)]);
        return prefix + "-" + (hex.Length >= 12 ? hex[^12..] : hex.PadLeft(12, '0'));
    }

    /// <summary>A date field as the browser sends it (yyyy-MM-dd); a refusal beside it when it is missing or unreadable.</summary>
    protected DateOnly? ParseDate(string? value, string field, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) Refuse(field, "required");
            return null;
        }
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        Refuse(field, "invalid_date");
        return null;
    }

    /// <summary>One of an enum's values by name, as the form's select or radio sends it.</summary>
    protected TEnum? ParseChoice<TEnum>(string? value, string field) where TEnum : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Refuse(field, "required");
            return null;
        }
        if (Enum.TryParse<TEnum>(value, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _)) return parsed;
        Refuse(field, "invalid_value");
        return null;
    }

    /// <summary>Lines of a text area, one item each; blank lines are not items.</summary>
    protected static string[] Lines(string? value) =>
        [.. (value ?? "").Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0)];

    /// <summary>
    /// Decides and appends on the commitment's stream, unless the form's own reading already refused a
    /// field. <paramref name="done"/> names the notice (<c>Done.{done}</c>) the page shows after the append.
    /// </summary>
    protected async Task AppendAsync(string formName, string? formKey, ConsoleCommands.Decision<CommitmentState> decide, string done)
    {
        if (HasErrors) return;
        var outcome = await Commands.ExecuteAsync(StreamKeys.Commitment(D.CommitmentId), CommitmentState.Evolve, decide, formName, formKey,
            Http?.RequestAborted ?? CancellationToken.None);
        if (outcome.Succeeded)
        {
            StartAfresh();
            await Appended.InvokeAsync(done);
            return;
        }
        var field = FieldOf(outcome.Field);
        var sentence = Sentence(outcome.Code!);
        if (field is not null && Fields.Contains(field)) _errors[field] = sentence;
        else FormError = sentence;
    }

    /// <summary>"requiredActions[0]" and "options[2]" are shown beside the list they belong to.</summary>
    private static string? FieldOf(string? field)
    {
        if (field is null) return null;
        var cut = field.IndexOfAny(['[', '.']);
        return cut < 0 ? field : field[..cut];
    }

    /// <summary>The refusal in words (<see cref="ProblemText"/>, the console's one sentence per code); never the code itself.</summary>
    private string Sentence(string code)
    {
        var text = P["Problem." + code];
        return text.ResourceNotFound ? P["Problem.unexpected"] : text.Value;
    }
}
