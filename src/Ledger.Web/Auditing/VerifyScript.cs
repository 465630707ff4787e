using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;

namespace Ledger.Web.Auditing;

/// <summary>
/// The one script that checks proofs in the browser (wwwroot/js/verify.js), read once from the file the
/// host serves: its SHA-256 is the page's Subresource Integrity value (so the browser refuses any
/// other script under that name), the hash of the offline copy's inline script (pinned there by its
/// Content-Security-Policy), and the value the README publishes, which a test compares with the file.
/// Read on first use, not at start: the command-line tool runs the host without static files.
/// </summary>
public sealed class VerifyScript(IWebHostEnvironment environment)
{
    /// <summary>Where the host serves the script (a static web asset of this project).</summary>
    public const string AssetPath = "_content/Ledger.Web/js/verify.js";

    private readonly Lazy<(string Content, byte[] Sha256)> _file = new(() => Read(environment));

    /// <summary>The script's text, exactly as served (UTF-8, no byte order mark).</summary>
    public string Content => _file.Value.Content;

    /// <summary>The <c>integrity</c> attribute's value: <c>sha256-</c> and the base64 SHA-256 of the file.</summary>
    public string Integrity => "sha256-" + Convert.ToBase64String(_file.Value.Sha256);

    /// <summary>The SHA-256 as the README publishes it (lower-case hex), for an auditor to compare.</summary>
    public string Sha256Hex => Convert.ToHexStringLower(_file.Value.Sha256);

    private static (string, byte[]) Read(IWebHostEnvironment environment)
    {
        var file = environment.WebRootFileProvider.GetFileInfo(AssetPath);
        if (!file.Exists)
            throw new InvalidOperationException($"{AssetPath} is not among the host's static files");
        using var stream = file.CreateReadStream();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        // The inline copy's CSP hash is over the script's text as UTF-8: a byte order mark or a byte
        // sequence that is not UTF-8 would make the two hashes differ.
        var content = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        if (content.Length > 0 && content[0] == '\uFEFF')
            throw new InvalidOperationException($"{AssetPath} starts with a byte order mark");
        return (content, SHA256.HashData(bytes));
    }
}
