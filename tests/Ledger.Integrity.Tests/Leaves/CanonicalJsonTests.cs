using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.Integrity.Leaves;

namespace Ledger.Integrity.Tests.Leaves;

public sealed class CanonicalJsonTests
{
    private static string Canonical(string json) => Encoding.UTF8.GetString(CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Rfc8785_sample_of_section_3_2_4()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        const string expected = """{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""";

        var bytes = CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(input));

        Assert.Equal(expected, Encoding.UTF8.GetString(bytes));
        // The RFC's own hex dump of the same output (§3.2.4).
        Assert.Equal(
            "7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b3333333333333333332e33333333" +
            "3333332c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac245c75303030665c6e4127425c225c5c" +
            "5c5c5c222f227d",
            Convert.ToHexStringLower(bytes));
    }

    [Theory]
    // The test data of the RFC's reference implementation (github.com/cyberphone/json-canonicalization, testdata/).
    [InlineData("""[ 56, { "d": true, "10": null, "1": [ ] } ]""", """[56,{"1":[],"10":null,"d":true}]""")]
    [InlineData("""{ "1": {"f": {"f": "hi","F": 5} ,"\n": 56.0}, "10": { }, "": "empty", "a": { }, "111": [ {"e": "yes","E": "no" } ], "A": { } }""",
        """{"":"empty","1":{"\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{"E":"no","e":"yes"}],"A":{},"a":{}}""")]
    [InlineData("""{ "peach": "This sorting order", "péché": "is wrong according to French", "pêche": "but canonicalization MUST", "sin": "ignore locale" }""",
        """{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ignore locale"}""")]
    [InlineData("""{ "Unnormalized Unicode":"A\u030a" }""", "{\"Unnormalized Unicode\":\"A\u030a\"}")]
    public void Reference_implementation_test_data(string input, string expected) => Assert.Equal(expected, Canonical(input));

    [Fact]
    public void Members_sort_by_utf16_code_units_not_code_points()
    {
        // cyberphone testdata/weird.json: U+1F602 (surrogates D83D DE02) sorts before U+FB33 in UTF-16 order.
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\u000a": "Newline",
              "1": "One",
              "\u0080": "Control\u007f",
              "\ud83d\ude02": "Smiley",
              "\u00f6": "Latin Small Letter O With Diaeresis",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "</script>": "Browser Challenge"
            }
            """;
        const string expectedHex =
            "7b225c6e223a224e65776c696e65222c225c72223a2243617272696167652052657475726e222c2231223a224f6e65222c223c2f736372" +
            "6970743e223a2242726f77736572204368616c6c656e6765222c22c280223a22436f6e74726f6c7f222c22c3b6223a224c6174696e2053" +
            "6d616c6c204c6574746572204f205769746820446961657265736973222c22e282ac223a224575726f205369676e222c22f09f9882223a22" +
            "536d696c6579222c22efacb3223a22486562726577204c65747465722044616c6574205769746820446167657368227d";

        Assert.Equal(expectedHex, Convert.ToHexStringLower(CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(input))));
    }

    [Theory]
    // RFC 8785 Appendix B: IEEE-754 bit patterns and their canonical form.
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    // The reference implementation's extra samples.
    [InlineData("4340000000000001", "9007199254740994")]
    [InlineData("4340000000000002", "9007199254740996")]
    public void Appendix_B_numbers(string ieeeHex, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(unchecked((long)Convert.ToUInt64(ieeeHex, 16)));

        Assert.Equal(expected, CanonicalJson.FormatNumber(value));
        // And the same through a JSON document, written as .NET's round-trip text.
        Assert.Equal(expected, Canonical(value.ToString("R", CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("333333333.33333329", "333333333.3333333")]
    [InlineData("1E30", "1e+30")]
    [InlineData("4.50", "4.5")]
    [InlineData("2e-3", "0.002")]
    [InlineData("0.000000000000000000000000001", "1e-27")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("123e18", "123000000000000000000")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("1e-6", "0.000001")]
    [InlineData("0.0000012345", "0.0000012345")]
    [InlineData("0.00000012345", "1.2345e-7")]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("0e10", "0")]
    [InlineData("1.0", "1")]
    [InlineData("100", "100")]
    [InlineData("1E2", "100")]
    [InlineData("-12.5e1", "-125")]
    [InlineData("123456789012345", "123456789012345")]
    [InlineData("1234567890123456", "1234567890123456")]
    [InlineData("12345678901234567890", "12345678901234567000")]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("0.1", "0.1")]
    [InlineData("1.5e300", "1.5e+300")]
    [InlineData("2.5e-300", "2.5e-300")]
    public void Numbers_take_their_ecmascript_form(string input, string expected) => Assert.Equal(expected, Canonical(input));

    [Fact]
    public void Strings_escape_only_what_json_requires()
    {
        const string input = "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\" \\\\ \\/ / \\u007f é \\u00e9 € \\ud83d\\ude02 </script>\"";
        const string expected = "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\" \\\\ / / \u007f é é € 😂 </script>\"";

        Assert.Equal(expected, Canonical(input));
    }

    [Fact]
    public void Unescaped_strings_are_copied_and_escaped_ones_rewritten_identically()
    {
        Assert.Equal(Canonical("\"caf\u00e9 \u20ac\""), Canonical("\"caf\\u00e9 \\u20AC\""));
        Assert.Equal("""{"é":1}""", Canonical("""{"\u00e9":1}"""));
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""{"a":1,"\u0061":2}""")]
    [InlineData("""{"x":{"b":true,"c":null,"b":false}}""")]
    [InlineData("""[{"k":1},{"k":1,"k":1}]""")]
    public void Duplicate_member_names_are_rejected(string input) =>
        Assert.Throws<JsonException>(() => CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(input)));

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("[1, 2e999]")]
    public void Numbers_beyond_double_range_are_rejected(string input) =>
        Assert.Throws<JsonException>(() => CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(input)));

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"a\\udc00b\"")]
    [InlineData("{\"\\ud83d\":1}")]
    public void Unpaired_surrogates_are_rejected(string input) =>
        Assert.Throws<JsonException>(() => CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(input)));

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        Assert.Throws<JsonException>(() => CanonicalJson.Canonicalize([(byte)'"', 0xff, (byte)'"']));
        // An encoded surrogate (CESU-8 style) is not UTF-8 either.
        Assert.Throws<JsonException>(() => CanonicalJson.Canonicalize([(byte)'"', 0xed, 0xa0, 0x80, (byte)'"']));
    }

    [Fact]
    public void Nan_and_infinity_are_rejected()
    {
        Assert.Throws<JsonException>(() => CanonicalJson.FormatNumber(double.NaN));
        Assert.Throws<JsonException>(() => CanonicalJson.FormatNumber(double.PositiveInfinity));
        Assert.Throws<JsonException>(() => CanonicalJson.FormatNumber(double.NegativeInfinity));
    }

    [Fact]
    public void Trailing_data_and_undefined_values_are_rejected()
    {
        Assert.ThrowsAny<JsonException>(() => CanonicalJson.Canonicalize("{} {}"u8));
        Assert.Equal("{}"u8.ToArray(), CanonicalJson.Canonicalize(" {}\r\n\t "u8));
        Assert.Throws<JsonException>(() => CanonicalJson.Canonicalize(default(JsonElement)));
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_rejected()
    {
        var deep = new string('[', CanonicalJson.MaxDepth + 1) + new string(']', CanonicalJson.MaxDepth + 1);
        using var document = JsonDocument.Parse(deep, new JsonDocumentOptions { MaxDepth = 1000 });
        Assert.Throws<JsonException>(() => CanonicalJson.Canonicalize(document.RootElement));

        var fine = new string('[', CanonicalJson.MaxDepth) + new string(']', CanonicalJson.MaxDepth);
        using var ok = JsonDocument.Parse(fine, new JsonDocumentOptions { MaxDepth = 1000 });
        Assert.Equal(fine, Encoding.UTF8.GetString(CanonicalJson.Canonicalize(ok.RootElement)));
    }

    [Fact]
    public void Stream_buffer_writer_and_array_outputs_agree()
    {
        using var document = JsonDocument.Parse("""{"z":[1,2.50,{"y":"\u00e9","x":null}],"a":"\n"}""");
        var bytes = CanonicalJson.Canonicalize(document.RootElement);

        using var stream = new MemoryStream();
        CanonicalJson.Write(stream, document.RootElement);
        var buffer = new ArrayBufferWriter<byte>(1);
        CanonicalJson.Write(buffer, document.RootElement);

        Assert.Equal("""{"a":"\n","z":[1,2.5,{"x":null,"y":"é"}]}""", Encoding.UTF8.GetString(bytes));
        Assert.Equal(bytes, stream.ToArray());
        Assert.Equal(bytes, buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Long_strings_with_multibyte_text_survive_chunked_encoding()
    {
        var text = string.Concat(Enumerable.Repeat("é€😂\"x", 3000));
        var json = JsonSerializer.Serialize(text);
        var canonical = Canonical(json);

        Assert.Equal(text, JsonSerializer.Deserialize<string>(canonical));
        Assert.Equal(canonical, Canonical(canonical));
    }
}
