using System.Security.Cryptography;
using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Checkpoints;
using Microsoft.Extensions.Configuration;

namespace Ledger.Api.Tests;

[CollectionDefinition(nameof(IntegritySettingsTests), DisableParallelization = true)]
public sealed class IntegritySettingsCollection;

/// <summary>
/// The only tests that touch LEDGER_CHECKPOINT_KEY. A host started meanwhile without a configured seed would
/// read it, so they run alone (a collection without parallelization), and the methods of one class never run
/// in parallel.
/// </summary>
[Collection(nameof(IntegritySettingsTests))]
public sealed class IntegritySettingsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static T WithEnvironmentKey<T>(string? value, Func<T> action)
    {
        var saved = Environment.GetEnvironmentVariable(IntegritySettings.SigningKeyEnvironmentVariable);
        Environment.SetEnvironmentVariable(IntegritySettings.SigningKeyEnvironmentVariable, value);
        try
        {
            return action();
        }
        finally
        {
            Environment.SetEnvironmentVariable(IntegritySettings.SigningKeyEnvironmentVariable, saved);
        }
    }

    [Fact]
    public void Defaults()
    {
        var settings = WithEnvironmentKey(null, () => IntegritySettings.From(Config(), "/var/lib/ledger"));

        Assert.Equal("ledger.local/pilot-zone", IntegritySettings.DefaultOrigin);
        Assert.Equal(IntegritySettings.DefaultOrigin, settings.Origin);
        Assert.Equal(IntegritySettings.DefaultOrigin, settings.KeyName);
        Assert.Equal(Path.Combine("/var/lib/ledger", "keys", "checkpoint-ed25519.key"), settings.KeyFile);
        Assert.Null(settings.SigningKey);
    }

    [Fact]
    public void The_key_name_follows_a_configured_origin()
    {
        var settings = WithEnvironmentKey(null, () => IntegritySettings.From(Config(("Integrity:Origin", "ledger.example/south")), "/data"));

        Assert.Equal("ledger.example/south", settings.Origin);
        Assert.Equal("ledger.example/south", settings.KeyName);
    }

    [Fact]
    public void Everything_is_configurable()
    {
        var settings = WithEnvironmentKey(null, () => IntegritySettings.From(Config(
            ("Integrity:Origin", "ledger.example/south"),
            ("Integrity:KeyName", "ledger.example/south-k2"),
            ("Integrity:KeyFile", "/secrets/checkpoint.key"),
            ("Integrity:SigningKey", "c2VlZA==")), "/data"));

        Assert.Equal(new IntegritySettings("ledger.example/south", "ledger.example/south-k2", "/secrets/checkpoint.key", "c2VlZA=="), settings);
    }

    [Fact]
    public void The_environment_variable_supplies_the_key_when_the_setting_does_not()
    {
        var fromEnvironment = WithEnvironmentKey("ZW52", () => IntegritySettings.From(Config(), "/data"));
        var fromSetting = WithEnvironmentKey("ZW52", () => IntegritySettings.From(Config(("Integrity:SigningKey", "Y29uZmln")), "/data"));

        Assert.Equal("ZW52", fromEnvironment.SigningKey);
        Assert.Equal("Y29uZmln", fromSetting.SigningKey);
    }

    [Fact]
    public void The_signing_key_never_appears_in_the_settings_text()
    {
        var settings = new IntegritySettings("o", "o", "/k", "c2VjcmV0LXNlZWQtdmFsdWU=");

        Assert.DoesNotContain("c2VjcmV0LXNlZWQtdmFsdWU=", settings.ToString(), StringComparison.Ordinal);
        Assert.Contains("redacted", settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_give_the_signer_its_origin_key_name_and_key()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ledger-integrity-settings-" + Guid.NewGuid().ToString("N"));
        var seed = Convert.ToBase64String(SHA256.HashData("settings"u8));
        var configuration = Config(
            (IntegritySettings.OriginSetting, "ledger.example/north"),
            (IntegritySettings.KeyNameSetting, "ledger.example/north-2026"),
            (IntegritySettings.SigningKeySetting, seed));

        using var signer = IntegritySettings.From(configuration, directory).CreateSigner();

        Assert.Equal("ledger.example/north", signer.Origin);
        Assert.Equal("ledger.example/north-2026", signer.KeyName);
        Assert.Equal(CheckpointKeys.VerifierKeyOf(seed, "ledger.example/north-2026"), signer.VerifierKey);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public void A_configured_seed_that_is_not_a_seed_is_refused_naming_where_it_is_configured()
    {
        var settings = new IntegritySettings("o", "o", "/nonexistent/k", "AAAA");

        var error = Assert.Throws<InvalidOperationException>(() => settings.CreateSigner());

        Assert.Contains(IntegritySettings.SigningKeyEnvironmentVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains(IntegritySettings.SigningKeySetting, error.Message, StringComparison.Ordinal);
    }
}
