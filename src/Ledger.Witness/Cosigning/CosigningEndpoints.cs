using System.Text;

namespace Ledger.Witness.Cosigning;

internal static class CosigningEndpoints
{
    /// <summary>
    /// The largest body read: 63 proof lines and a checkpoint with the 100 signature lines a note may carry fit
    /// in well under this; anything larger is refused unread.
    /// </summary>
    public const int MaxBodyBytes = 64 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IEndpointRouteBuilder MapCosigningEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/add-checkpoint", AddCheckpoint);
        return app;
    }

    private static async Task<IResult> AddCheckpoint(HttpContext http, CheckpointWitness witness, CancellationToken ct)
    {
        var client = http.Connection.RemoteIpAddress?.ToString() ?? "?";
        if (http.Request.ContentLength > MaxBodyBytes)
            return Send(new Answer(413, $"the body is larger than {MaxBodyBytes} bytes\n"));
        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await http.Request.Body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
            length += read;
        if (length > MaxBodyBytes)
            return Send(new Answer(413, $"the body is larger than {MaxBodyBytes} bytes\n"));

        string body;
        try
        {
            body = StrictUtf8.GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return Send(new Answer(400, "the body is not UTF-8\n"));
        }
        return Send(witness.Submit(body, client));
    }

    private static IResult Send(Answer answer) => Results.Text(answer.Body, answer.ContentType, statusCode: answer.Status);
}
