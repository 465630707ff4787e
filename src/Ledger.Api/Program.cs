using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Ledger.Api.Agreements;
using Ledger.Api.Audit;
using Ledger.Api.Commitments;
using Ledger.Api.Evaluation;
using Ledger.Api.Governments;
using Ledger.Api.Health;
using Ledger.Api.Http;
using Ledger.Api.Integrity;
using Ledger.Api.Supervision;
using Ledger.Api.OpenApi;
using Ledger.Api.Zones;
using Ledger.Infrastructure;
using Ledger.Infrastructure.Identity;
using Ledger.Infrastructure.Telemetry;
using Ledger.Web;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

try
{
    var app = LedgerApi.Build(args);
    // The settings first, so that a refusal is the one line below rather than the host's log of its failed start.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    app.Run();
    return 0;
}
catch (Exception refused) when (ValidatedSettings.Refusal(refused) is { } settings && Assembly.GetEntryAssembly() == typeof(LedgerApi).Assembly)
{
    // Run as the process (not hosted by a test's factory, which wants the exception): one line naming the key.
    await Console.Error.WriteLineAsync($"ledger-api: {settings}");
    return 1;
}

/// <summary>
/// The composition root. <c>./ops/ledger up</c> runs it on Kestrel; the command-line tool runs the
/// same application in-process to load the scenario through the same HTTP commands users send.
/// </summary>
public static class LedgerApi
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        // Settings are read and validated once, at start: no file watcher on the content root, which
        // watched its every folder (1,008 inotify watches under the repository, PostgreSQL's data
        // among them) and spent about 5% of the API's CPU under the append benchmark on its events.
        var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
        customize?.Invoke(builder);

        builder.Services.AddLedger(builder.Configuration);
        builder.Services.AddLedgerTelemetry(builder.Configuration);
        builder.Services.AddLedgerOpenApi();
        builder.Services.AddLedgerRateLimits();
        builder.Services.AddAccessLog();
        builder.Services.Configure<JsonOptions>(o => LedgerJson.Configure(o.SerializerOptions));
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = problem =>
        {
            ZoneTokens.Describe(problem);
            ProblemMapping.AddStatusCode(problem);
        });
        builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        // First: while PostgreSQL is unreachable a browser asking for a console page gets the console's 503 page.
        builder.Services.AddExceptionHandler<Ledger.Web.Outage.DatabaseOutagePage>();
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.AddHealthChecks().AddCheck<PostgresReadyCheck>("postgres").AddCheck<IntegrityLagCheck>("integrity").AddCheck<WitnessCheck>("witnesses")
            .AddCheck<ProjectionLagCheck>("projections").AddCheck<ClockLeaderCheck>("clock");
        builder.Services.AddAuthorization(Policies.Add);
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenSettings>((options, tokens) =>
            {
                options.MapInboundClaims = false;
                options.Authority = tokens.Authority;
                if (tokens.MetadataAddress is not null) options.MetadataAddress = tokens.MetadataAddress;
                options.RequireHttpsMetadata = tokens.RequireHttpsMetadata;
                options.Events = new JwtBearerEvents { OnTokenValidated = context => ZoneTokens.CheckAsync(context, tokens.Zone) };
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = tokens.Issuer,
                    ValidAudience = tokens.Audience,
                    IssuerSigningKey = tokens.SigningKey,
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    ValidateIssuerSigningKey = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = LedgerClaims.Subject,
                    RoleClaimType = LedgerClaims.Role,
                };
            });
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = BodyLimit.DefaultBytes);
        builder.AddLedgerConsole();

        var app = builder.Build();

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(BodyLimit.Enforce(BodyLimit.DefaultBytes));
        app.Use(StorableText.RefuseInUrlAsync);
        app.UseLedgerConsoleLanguage();
        app.UseAuthentication();
        app.UseLedgerConsoleSession();
        // After authentication: the limit is per principal (the token's subject), else per address.
        app.UseRateLimiter();
        // Before authorization: a refused replay is recorded as well as a granted one.
        app.UseAccessLog();
        app.UseAuthorization();
        app.Use(StorableText.RefuseInBodyAsync);
        app.Use(RequestEnvelope.HashBodyAsync);

        app.MapHealthEndpoints();
        app.MapLedgerOpenApi();
        app.MapGovernmentEndpoints();
        app.MapAgreementEndpoints();
        app.MapCommitmentEndpoints();
        app.MapOcdsEndpoints();
        app.MapEvaluationEndpoints();
        app.MapSupervisingEndpoints();
        app.MapSupervisionViews();
        app.MapIntegrityEndpoints();
        app.MapAuditEndpoints();
        app.MapAccessLogEndpoints();
        app.MapViewsAsOfEndpoints();
        app.MapNationalEndpoints();
        app.MapLedgerConsole();
        return app;
    }
}

/// <summary>The API's JSON: camelCase, enums by name only, unknown fields and null list elements refused, bounded depth.</summary>
public static class LedgerJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.MaxDepth = 32;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
            .WithAddedModifier(NullElements.Refuse);
    }
}

public partial class Program;
