namespace Ledger.Web.Components.Deciding;

/// <summary>
/// A decision on one escalation as the form posts it: the option taken (its index among the options
/// put, or "other"), the words added, the decision document's number, and the form's own key.
/// </summary>
public sealed class DecideForm
{
    public const string Other = "other";

    public string? CommitmentId { get; set; }
    public string? EscalationId { get; set; }
    public string? Option { get; set; }
    public string? Notes { get; set; }
    public string? DecisionReference { get; set; }
    public string? FormKey { get; set; }

    /// <summary>
    /// The decision as recorded: the option taken, then anything added on a line of its own; the words
    /// alone when no option is taken. Nothing of the page's language is added to what the level decided.
    /// </summary>
    public string Decision(IReadOnlyList<string> options)
    {
        var notes = Notes?.Trim();
        var option = int.TryParse(Option, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i)
            && i >= 0 && i < options.Count ? options[i] : null;
        return (option, notes) switch
        {
            (null, _) => notes ?? "",
            (_, null or "") => option,
            _ => option + "\n\n" + notes,
        };
    }
}

/// <summary>An amendment of an active agreement as the form posts it, with the decision that made it.</summary>
public sealed class AmendForm
{
    public string? AgreementId { get; set; }
    public string? Summary { get; set; }
    public string? DecisionReference { get; set; }
    public string? FormKey { get; set; }
}
