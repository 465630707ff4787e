using Ledger.Api.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Ledger.Api.OpenApi;

/// <summary>
/// The responses every endpoint of a feature group can give, declared once per group: writes answer
/// 201 with a <see cref="WriteResponse"/> (their typed results declare it) or one of the problems
/// <see cref="ProblemMapping"/> maps; reads of one resource can answer 404; every call can be refused
/// by authentication, authorization and the rate limit.
/// </summary>
public static class StandardResponses
{
    private const string ProblemJson = "application/problem+json";

    private static readonly int[] Always = [StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests];

    private static readonly int[] Writes =
    [
        StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
        StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity,
    ];

    public static RouteGroupBuilder WithStandardResponses(this RouteGroupBuilder group)
    {
        // Finally: after the endpoints' own conventions, when their methods and patterns are known.
        ((IEndpointConventionBuilder)group).Finally(endpoint =>
        {
            var isWrite = endpoint.Metadata.OfType<HttpMethodMetadata>().Any(m => m.HttpMethods.Contains(HttpMethods.Post));
            var hasId = endpoint is RouteEndpointBuilder { RoutePattern.Parameters.Count: > 0 };
            // A write handler's typed result (Created<WriteResponse>) declares its 201 itself; this covers any that does not.
            if (isWrite && !endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == StatusCodes.Status201Created))
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(WriteResponse), ["application/json"]));
            var problems = isWrite ? Always.Concat(Writes) : hasId ? Always.Append(StatusCodes.Status404NotFound) : Always;
            foreach (var status in problems.Order())
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), [ProblemJson]));
        });
        return group;
    }
}
