namespace Ledger.Api.Http;

/// <summary>
/// Refuses bodies over the limit before anything reads them, whatever server hosts the API
/// (Kestrel enforces the same limit on chunked bodies as they stream in).
/// </summary>
public static class BodyLimit
{
    public const long DefaultBytes = 256 * 1024;

    public static Func<HttpContext, Func<Task>, Task> Enforce(long defaultLimit) => async (http, next) =>
    {
        // An endpoint may ask for more (the console's evidence upload: [RequestSizeLimit]), never for no limit.
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? defaultLimit;
        if (http.Request.ContentLength > limit)
            throw new RequestRejected(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"The request body is over {limit} bytes.");
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
        await next();
    };
}
