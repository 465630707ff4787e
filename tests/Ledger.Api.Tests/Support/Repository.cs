namespace Ledger.Api.Tests.Support;

/// <summary>The checkout the tests run from: the folder that holds Ledger.sln.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The pilot-zone scenario the demo and the tests load.</summary>
    public static string ScenarioPath => Path.Combine(Root, "ops", "scenario", "pilot-zone.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) return dir.FullName;
        }
        throw new FileNotFoundException("No Ledger.sln above " + AppContext.BaseDirectory);
    }
}
