using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ledger.Api.Tests.Support;

namespace Ledger.Browser.Tests.Audit;

/// <summary>
/// The README publishes verify.js's SHA-256, so that an auditor can check the script a page runs
/// without trusting the server that sent it: the published value must be the file's.
/// </summary>
public sealed partial class VerifyScriptTests
{
    [Fact]
    public void The_README_publishes_the_SHA256_of_verify_js()
    {
        var script = File.ReadAllBytes(Path.Combine(Repository.Root, "src", "Ledger.Web", "wwwroot", "js", "verify.js"));
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));

        var published = Published().Match(readme);
        Assert.True(published.Success, "README.md names no SHA-256 for verify.js (a line: verify.js SHA-256: <64 hex digits>)");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(script)), published.Groups["hex"].Value);
        Assert.Equal("sha256-" + Convert.ToBase64String(SHA256.HashData(script)), published.Groups["sri"].Value);
    }

    [Fact]
    public void The_script_is_plain_UTF8_without_a_byte_order_mark_so_the_inline_copy_hashes_alike()
    {
        var script = File.ReadAllBytes(Path.Combine(Repository.Root, "src", "Ledger.Web", "wwwroot", "js", "verify.js"));

        Assert.False(script.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }));
        Assert.DoesNotContain("</script", System.Text.Encoding.UTF8.GetString(script), StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"verify\.js SHA-256: `(?<hex>[0-9a-f]{64})` \(integrity `(?<sri>sha256-[A-Za-z0-9+/=]{44})`\)")]
    private static partial Regex Published();
}
