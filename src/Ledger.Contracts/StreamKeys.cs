namespace Ledger.Contracts;

/// <summary>
/// Stream keys are the domain ids with a kind prefix, so a government code and an agreement id can
/// never collide in the one event store.
/// </summary>
public static class StreamKeys
{
    public static string Government(string governmentId) => "government/" + governmentId;
    public static string Agreement(string agreementId) => "agreement/" + agreementId;
    public static string Commitment(string commitmentId) => "commitment/" + commitmentId;
    public static string Evaluation(string cycleId) => "evaluation/" + cycleId;
    public static string Account(string accountId) => "account/" + accountId;

    public static string IdOf(string streamKey) => streamKey[(streamKey.IndexOf('/', StringComparison.Ordinal) + 1)..];
}
