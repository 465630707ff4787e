using System.Reflection;
using Ledger.Contracts;

namespace Ledger.Domain.Tests;

/// <summary>The domain stays pure: persistence libraries belong to Infrastructure and Projections only.</summary>
public class DomainDependencyTests
{
    private static readonly string[] Persistence = ["Marten", "Npgsql", "JasperFx", "Weasel"];

    // Public key tokens that sign the .NET runtime's own assemblies (System.*, Microsoft.*, netstandard).
    private static readonly string[] FrameworkKeyTokens = ["b03f5f7f11d50a3a", "cc7b13ffcd2ddd51", "7cec85d7bea7798e", "b77a5c561934e089", "31bf3856ad364e35"];

    private static readonly Assembly Domain = typeof(DomainException).Assembly;
    private static readonly Assembly Contracts = typeof(EventNames).Assembly;

    public static TheoryData<string> PureAssemblies => new() { "Ledger.Domain", "Ledger.Contracts" };

    private static Assembly Named(string name) => name == "Ledger.Domain" ? Domain : Contracts;

    private static bool IsFramework(AssemblyName reference) =>
        FrameworkKeyTokens.Contains(Convert.ToHexStringLower(reference.GetPublicKeyToken() ?? []));

    [Theory]
    [MemberData(nameof(PureAssemblies))]
    public void A_pure_assembly_references_no_persistence_library(string assembly)
    {
        var references = Named(assembly).GetReferencedAssemblies().Select(r => r.Name ?? "").ToList();

        Assert.NotEmpty(references);
        Assert.DoesNotContain(references, r => Persistence.Any(p => r.StartsWith(p, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void Contracts_reference_nothing_but_the_framework()
    {
        var references = Contracts.GetReferencedAssemblies();

        Assert.Contains(references, r => r.Name == "System.Runtime");
        Assert.All(references, r => Assert.True(IsFramework(r), $"{r.FullName} is not part of the framework."));
    }

    [Fact]
    public void The_domain_references_only_the_framework_and_the_contracts()
    {
        var beyondFramework = Domain.GetReferencedAssemblies().Where(r => !IsFramework(r)).Select(r => r.Name);

        Assert.Equal(["Ledger.Contracts"], beyondFramework);
    }
}
