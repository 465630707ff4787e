using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using Ledger.Api.Tests.Support;
using Ledger.Contracts;
using Ledger.Web.Resources;

namespace Ledger.Browser.Tests.Console;

/// <summary>
/// The console says everything in both languages: every resource key has a Chinese and an English
/// text, every enum value a page shows has words, every refusal the deciders can give has a sentence,
/// and every kind of recorded event has a name.
/// </summary>
public sealed partial class WordsTests
{
    private static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh", predefinedOnly: false);

    public static TheoryData<string> ResourceTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(SharedText).Assembly.GetTypes().Where(t => t.Namespace == typeof(SharedText).Namespace && t.IsClass && !t.IsNested))
            data.Add(type.FullName!);
        return data;
    }

    [Theory]
    [MemberData(nameof(ResourceTypes))]
    public void Every_key_has_English_and_Chinese_text(string resourceType)
    {
        var english = Entries(resourceType, CultureInfo.InvariantCulture);
        var chinese = Entries(resourceType, Chinese);

        Assert.NotEmpty(english);
        Assert.Empty(english.Keys.Except(chinese.Keys));
        Assert.Empty(chinese.Keys.Except(english.Keys));
        Assert.All(english, e => Assert.False(string.IsNullOrWhiteSpace(e.Value), $"{resourceType}: {e.Key} is empty in English"));
        Assert.All(chinese, e => Assert.False(string.IsNullOrWhiteSpace(e.Value), $"{resourceType}: {e.Key} is empty in Chinese"));
        // Chinese text is Chinese: a key whose zh text has no CJK character was left untranslated (a
        // bare number or format such as "{0}" aside).
        Assert.All(chinese.Where(e => e.Value.Any(char.IsLetter)), e =>
            Assert.True(e.Value.Any(c => c >= '\u3400' && c <= '\u9fff'), $"{resourceType}: {e.Key} has no Chinese: {e.Value}"));
    }

    public static TheoryData<Type> ShownEnums() =>
    [
        typeof(TaskArea), typeof(Province), typeof(MilestoneStatus), typeof(MilestoneType), typeof(Measure), typeof(Direction),
        typeof(ResultType), typeof(DocumentType), typeof(Confidentiality), typeof(ClaimScope), typeof(VerificationMethod), typeof(Verdict),
        typeof(Completion), typeof(DeliveryConfidence), typeof(RiskCategory), typeof(GovernanceLevel), typeof(Band), typeof(DueKind),
        typeof(GovernmentLevel), typeof(Ledger.Domain.Commitments.CommitmentStatus), typeof(Ledger.Domain.Commitments.RectificationStatus),
        typeof(Ledger.Domain.Agreements.AgreementStatus), typeof(Ledger.Contracts.Rag),
    ];

    [Theory]
    [MemberData(nameof(ShownEnums))]
    public void Every_value_of_an_enum_a_page_shows_has_words(Type type)
    {
        var shared = Entries(typeof(SharedText).FullName!, CultureInfo.InvariantCulture);
        Assert.All(Enum.GetNames(type), name => Assert.Contains($"Enum.{type.Name}.{name}", shared.Keys));
    }

    [Fact]
    public void Every_kind_of_recorded_event_has_a_name()
    {
        var names = Entries(typeof(EventText).FullName!, CultureInfo.InvariantCulture);
        Assert.All(EventNames.All.Keys, type => Assert.Contains($"Event.{type.Name}", names.Keys));
    }

    [Fact]
    public void Every_refusal_the_deciders_give_has_a_sentence()
    {
        var sentences = Entries(typeof(ProblemText).FullName!, CultureInfo.InvariantCulture);
        var codes = DomainCodes();

        Assert.True(codes.Count > 50, $"found only {codes.Count} codes: the scan no longer reads the deciders");
        var missing = codes.Where(code => !sentences.ContainsKey($"Problem.{code}")).Order().ToList();
        Assert.True(missing.Count == 0, "no sentence for: " + string.Join(", ", missing));
    }

    // The codes are literals in the deciders, and two helpers build "invalid_<field>" and
    // "duplicate_<noun>" from the ids they check: both forms are read here from the source.
    private static HashSet<string> DomainCodes()
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository.Root, "src", "Ledger.Domain"), "*.cs", SearchOption.AllDirectories))
        {
            var source = File.ReadAllText(file);
            foreach (Match m in Literal().Matches(source))
                if (!m.Groups[1].Value.EndsWith('_')) codes.Add(m.Groups[1].Value);
            foreach (Match m in NewId().Matches(source))
            {
                codes.Add("invalid_" + Snake(m.Groups[1].Value));
                codes.Add("duplicate_" + m.Groups[2].Value.ToLowerInvariant());
            }
        }
        return codes;
    }

    private static string Snake(string field) => string.Concat(field.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static Dictionary<string, string> Entries(string resourceType, CultureInfo culture)
    {
        var manager = new ResourceManager(resourceType, typeof(SharedText).Assembly);
        var set = manager.GetResourceSet(culture, createIfNotExists: true, tryParents: false)
            ?? throw new InvalidOperationException($"{resourceType} has no resources for '{culture.Name}'");
        return set.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
    }

    [GeneratedRegex(@"\b(?:Rule|Conflict|Forbidden|NotFound)\(""([a-z0-9_]+)""")]
    private static partial Regex Literal();

    [GeneratedRegex(@"RequireNewId\([^,]+,\s*""([A-Za-z]+)"",\s*""([A-Za-z]+)""")]
    private static partial Regex NewId();
}
