using Ledger.Contracts;
using Ledger.Infrastructure.Accounts;
using Ledger.Infrastructure.Writing;

namespace Ledger.Cli.Scenario;

/// <summary>
/// One console account per role for the pilot-zone demo, with passwords that need no change. Demo
/// only: they are opened where the demo scenario is loaded (the private cluster, or a configured
/// database with --demo), never on a ledger that holds real users' records alone, and an account that
/// exists already is left as it is (its password may have been changed since).
/// </summary>
public static class DemoAccounts
{
    public sealed record DemoAccount(string Name, AccountRole Role, string? GovernmentId, string Password, string Who);

    public static readonly IReadOnlyList<DemoAccount> All =
    [
        new("liuyang", AccountRole.Government, "430181", "liuyang-demo", "Liuyang's official (浏阳市)"),
        new("joint-office", AccountRole.Supervisor, null, "joint-office-demo", "the joint office's supervisor (联办)"),
        new("conference", AccountRole.Decision, null, "conference-demo", "the promotion conference (两省推进大会)"),
        new("auditor", AccountRole.Auditor, null, "auditor-demo", "an auditor (审计人员)"),
    ];

    /// <summary>Opens the demo accounts the ledger lacks; returns how many it opened.</summary>
    public static async Task<int> OpenMissingAsync(AccountBook book, RequestContext context, CancellationToken ct)
    {
        var existing = (await book.ListAsync(ct)).Select(a => a.AccountId).ToHashSet(StringComparer.Ordinal);
        var opened = 0;
        foreach (var account in All.Where(a => !existing.Contains(a.Name)))
        {
            await book.CreateAsync(account.Name, account.Role, account.GovernmentId, account.Password, context, ct);
            opened++;
        }
        return opened;
    }
}
