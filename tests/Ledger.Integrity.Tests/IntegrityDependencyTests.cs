using Ledger.Integrity.Merkle;

namespace Ledger.Integrity.Tests;

/// <summary>
/// The integrity library stays pure, so that the witness and any verifier can take it without the ledger's
/// database or host: the framework and NSec (Ed25519) only.
/// </summary>
public sealed class IntegrityDependencyTests
{
    private static readonly string[] Forbidden = ["Marten", "Npgsql", "JasperFx", "Weasel", "Microsoft.AspNetCore", "Microsoft.Extensions", "Ledger."];

    // Public key tokens that sign the .NET runtime's own assemblies (System.*, Microsoft.*, netstandard).
    private static readonly string[] FrameworkKeyTokens = ["b03f5f7f11d50a3a", "cc7b13ffcd2ddd51", "7cec85d7bea7798e", "b77a5c561934e089"];

    private static readonly System.Reflection.AssemblyName[] References = typeof(Rfc9162).Assembly.GetReferencedAssemblies();

    [Fact]
    public void It_references_no_database_host_or_ledger_assembly()
    {
        var names = References.Select(r => r.Name ?? "").ToList();

        Assert.Contains("System.Runtime", names);
        Assert.DoesNotContain(names, n => Forbidden.Any(f => n.StartsWith(f, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void Beyond_the_framework_it_references_only_NSec()
    {
        var beyondFramework = References
            .Where(r => !FrameworkKeyTokens.Contains(Convert.ToHexStringLower(r.GetPublicKeyToken() ?? [])))
            .Select(r => r.Name);

        Assert.Equal(["NSec.Cryptography"], beyondFramework);
    }
}
