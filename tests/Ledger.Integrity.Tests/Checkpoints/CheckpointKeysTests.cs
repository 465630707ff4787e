using Ledger.Integrity.Checkpoints;

namespace Ledger.Integrity.Tests.Checkpoints;

public sealed class CheckpointKeysTests : IDisposable
{
    private const string Name = "ledger.local/pilot-zone";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ledger-checkpoint-keys-" + Guid.NewGuid().ToString("N"));

    private string KeyFile => Path.Combine(_directory, "keys", "checkpoint-ed25519.key");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Without_configuration_a_key_file_is_created_once_and_then_reused()
    {
        using var first = CheckpointKeys.LoadOrCreate(null, KeyFile, Name);
        using var second = CheckpointKeys.LoadOrCreate("  ", KeyFile, Name);

        Assert.True(File.Exists(KeyFile));
        Assert.Equal(first.VerifierKey, second.VerifierKey);
        var seed = Convert.FromBase64String(File.ReadAllText(KeyFile).Trim());
        Assert.Equal(32, seed.Length);
        Assert.Equal(first.VerifierKey, CheckpointKeys.VerifierKeyOf(Convert.ToBase64String(seed), Name));
        // Only the key is left behind: the temporary file was moved into place.
        Assert.Equal([KeyFile], Directory.GetFiles(Path.GetDirectoryName(KeyFile)!));
    }

    [Fact]
    public void The_key_file_and_its_new_directory_are_private_to_the_owner()
    {
        if (OperatingSystem.IsWindows())
            return;

        using var signer = CheckpointKeys.LoadOrCreate(null, KeyFile, Name);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(KeyFile)!));
    }

    [Fact]
    public void A_configured_seed_wins_and_no_file_is_written()
    {
        var seed = CheckpointKeys.NewSeed();

        using var signer = CheckpointKeys.LoadOrCreate(seed, KeyFile, Name);

        Assert.False(File.Exists(KeyFile));
        Assert.Equal(CheckpointKeys.VerifierKeyOf(seed, Name), signer.VerifierKey);
        using var again = CheckpointSigner.FromSeed(Convert.FromBase64String(seed), Name);
        Assert.Equal(again.VerifierKey, signer.VerifierKey);
    }

    [Fact]
    public void A_configured_seed_wins_over_an_existing_file()
    {
        using (CheckpointKeys.LoadOrCreate(null, KeyFile, Name))
        {
        }
        var seed = CheckpointKeys.NewSeed();

        using var signer = CheckpointKeys.LoadOrCreate(seed, KeyFile, Name);

        Assert.Equal(CheckpointKeys.VerifierKeyOf(seed, Name), signer.VerifierKey);
        Assert.NotEqual(CheckpointKeys.VerifierKeyOf(File.ReadAllText(KeyFile), Name), signer.VerifierKey);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void A_configured_seed_that_is_not_32_bytes_fails_loudly_without_echoing_it(string seed)
    {
        var error = Assert.Throws<InvalidOperationException>(() => CheckpointKeys.LoadOrCreate(seed, KeyFile, Name));

        Assert.Contains("LEDGER_CHECKPOINT_KEY", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(seed, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(KeyFile));
    }

    [Fact]
    public void A_corrupt_key_file_fails_loudly_and_is_left_alone()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, "garbage");

        Assert.Throws<InvalidOperationException>(() => CheckpointKeys.LoadOrCreate(null, KeyFile, Name));
        Assert.Equal("garbage", File.ReadAllText(KeyFile));
    }

    [Fact]
    public void A_key_file_written_by_hand_is_read_with_surrounding_whitespace()
    {
        var seed = CheckpointKeys.NewSeed();
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, "\n  " + seed + "\r\n");

        using var signer = CheckpointKeys.LoadOrCreate(null, KeyFile, Name);

        Assert.Equal(CheckpointKeys.VerifierKeyOf(seed, Name), signer.VerifierKey);
    }

    [Fact]
    public void Processes_starting_together_end_up_with_one_key()
    {
        var keys = new string[8];

        Parallel.For(0, keys.Length, i =>
        {
            using var signer = CheckpointKeys.LoadOrCreate(null, KeyFile, Name);
            keys[i] = signer.VerifierKey;
        });

        Assert.Single(keys.Distinct());
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(KeyFile)!));
    }

    [Fact]
    public void New_seeds_are_random_32_byte_values()
    {
        var a = Convert.FromBase64String(CheckpointKeys.NewSeed());
        var b = Convert.FromBase64String(CheckpointKeys.NewSeed());

        Assert.Equal(32, a.Length);
        Assert.False(a.AsSpan().SequenceEqual(b));
    }
}
