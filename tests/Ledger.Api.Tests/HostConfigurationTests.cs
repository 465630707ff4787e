using System.Security.Cryptography;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace Ledger.Api.Tests;

/// <summary>How the API host reads its settings.</summary>
public sealed class HostConfigurationTests
{
    [Fact]
    public async Task Settings_files_are_read_once_at_start_and_no_folder_is_watched()
    {
        await using var app = LedgerApi.Build(
        [
            "--ConnectionStrings:Ledger=Host=127.0.0.1;Port=1;Database=ledger;Username=postgres",
            $"--Auth:SigningKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
        ], builder => builder.WebHost.UseTestServer());

        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();

        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is watched for changes"));
    }
}
