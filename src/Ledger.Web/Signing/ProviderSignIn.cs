using System.Globalization;
using System.Security.Claims;
using Ledger.Contracts;
using Ledger.Infrastructure;
using Ledger.Infrastructure.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Ledger.Web.Signing;

/// <summary>
/// Signing in through the organisation's own OpenID Connect provider, when <c>Auth:Authority</c> (or
/// <c>Auth:MetadataAddress</c>) names one: the same provider whose tokens the API accepts. The console
/// sends the person there (authorization code with PKCE) and keeps the outcome in its own session
/// cookie with the claims every session carries (<c>sub</c>, <c>ledger_role</c>,
/// <c>ledger_government</c>), taken from the provider's ID token as they are named. Local password
/// sign-in is off in this mode. A provider identity without a ledger role the console accepts is
/// sent back to the sign-in page, which says why; nothing of it is kept.
/// </summary>
/// <remarks>
/// Such a session has no row in <c>ledger_accounts</c> and so no session stamp: what ends it is the
/// cookie's idle timeout and the absolute lifetime (<see cref="ConsoleSignIn.AbsoluteLifetime"/>),
/// counted from the sign-in, and signing out. A person disabled at the provider keeps an open session
/// until one of those, at most twelve hours; the next sign-in asks the provider again.
/// </remarks>
public static class ProviderSignIn
{
    public const string Scheme = OpenIdConnectDefaults.AuthenticationScheme;

    /// <summary>Where the console starts a sign-in at the provider (a link, so it works without script).</summary>
    public const string ChallengePath = "/signin/provider";

    public const string CallbackPath = "/signin-oidc";
    public const string SignedOutCallbackPath = "/signout-callback-oidc";

    /// <summary>Marks a session as the provider's, naming the issuer that signed its ID token.</summary>
    public const string IssuerClaim = "ledger_idp";

    /// <summary>The person's name as the provider gives it (OpenID Connect's standard claim), shown on every page.</summary>
    public const string NameClaim = "name";

    /// <summary>The scopes asked for unless <c>Auth:Scopes</c> names others: the ledger's claims travel with the <c>ledger</c> scope.</summary>
    public const string DefaultScopes = AuthSettings.DefaultScopes;

    /// <summary>What the sign-in page says when the provider's answer is not a session (its <c>problem</c> parameter).</summary>
    public const string NoRoleProblem = "no-role";
    public const string FailedProblem = "failed";

    // The console's roles are the accounts' (no administrator signs in to the console), as the tokens spell them.
    private static readonly HashSet<string> ConsoleRoles =
        [.. Enum.GetValues<AccountRole>().Select(r => r.ToString().ToLowerInvariant()).Where(LedgerClaims.Roles.ContainsKey)];

    /// <summary>Whether section <c>Auth</c> names a provider: read when the services are registered, since it decides the console's sign-in scheme.</summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        ValidatedSettings.Read<AuthSettings, AuthSettingsValidator>(configuration, AuthSettings.Section).External;

    public static AuthenticationBuilder AddProviderSignIn(this AuthenticationBuilder authentication)
    {
        authentication.AddOpenIdConnect(Scheme, _ => { });
        // Checked on start, so that a missing client id stops the host with its setting's name, not the first sign-in.
        authentication.Services.AddOptions<OpenIdConnectOptions>(Scheme)
            .Configure<TokenSettings, IOptions<AuthSettings>>(Configure)
            .ValidateOnStart();
        return authentication;
    }

    private static void Configure(OpenIdConnectOptions options, TokenSettings tokens, IOptions<AuthSettings> auth)
    {
        var settings = auth.Value;
        options.Authority = tokens.Authority;
        if (tokens.MetadataAddress is not null) options.MetadataAddress = tokens.MetadataAddress;
        options.RequireHttpsMetadata = tokens.RequireHttpsMetadata;
        options.ClientId = settings.ClientId is { Length: > 0 } client ? client
            : throw new OptionsValidationException(Scheme, typeof(OpenIdConnectOptions),
                ["Auth:ClientId is required when Auth:Authority names an OpenID Connect provider: the client the provider registered for the console"]);
        options.ClientSecret = settings.ClientSecret;
        options.ResponseType = OpenIdConnectResponseType.Code;
        options.UsePkce = true;
        // The code comes back in the query of a top-level GET: the correlation and nonce cookies then
        // reach the callback with SameSite=Lax, over HTTPS and on a loopback test alike, where a
        // form post from the provider's site would need SameSite=None (and so HTTPS) to carry them.
        options.ResponseMode = OpenIdConnectResponseMode.Query;
        options.CorrelationCookie.SameSite = SameSiteMode.Lax;
        options.NonceCookie.SameSite = SameSiteMode.Lax;
        options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.Scope.Clear();
        foreach (var scope in settings.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            options.Scope.Add(scope);
        options.CallbackPath = CallbackPath;
        options.SignedOutCallbackPath = SignedOutCallbackPath;
        options.SignedOutRedirectUri = "/signin";
        options.SignInScheme = ConsoleSignIn.Scheme;
        // Claim names are read as the provider sends them, as the API's bearer tokens are.
        options.MapInboundClaims = false;
        options.TokenValidationParameters.NameClaimType = LedgerClaims.Subject;
        options.TokenValidationParameters.RoleClaimType = LedgerClaims.Role;
        // Only the ID token is kept (for the provider's sign-out): the console calls no API with the access token.
        options.SaveTokens = false;
        options.Events.OnTokenValidated = AdmitAsync;
        options.Events.OnRemoteFailure = RefuseAsync;
    }

    /// <summary>
    /// The provider has signed the person in: the session gets the ledger's claims from the ID token,
    /// or, without a role the console accepts, the person is sent back to the sign-in page to read why.
    /// </summary>
    private static Task AdmitAsync(TokenValidatedContext context)
    {
        var identity = context.Principal!;
        var subject = identity.FindFirst(LedgerClaims.Subject)?.Value;
        var role = identity.FindFirst(LedgerClaims.Role)?.Value;
        var government = identity.FindFirst(LedgerClaims.Government)?.Value;
        var zone = ConsoleSignIn.ZoneOf(context.HttpContext);
        // The provider says which zone the person belongs to (ledger_zone), as it does for the API's tokens.
        var accepted = !string.IsNullOrEmpty(subject) && role is not null && ConsoleRoles.Contains(role)
            && (role != "government" || !string.IsNullOrEmpty(government)) && LedgerClaims.ZoneRefusal(identity, zone) is null;
        if (!accepted)
        {
            Logger(context.HttpContext).LogWarning("The identity provider signed in {Subject} without a ledger role the console accepts (ledger_role {Role}); refused",
                subject, role);
            context.HandleResponse();
            context.Response.Redirect($"/signin?problem={NoRoleProblem}");
            return Task.CompletedTask;
        }

        var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var principal = ConsoleSignIn.Principal(subject!, role!, role == "government" ? government : null, zone);
        var session = (ClaimsIdentity)principal.Identity!;
        session.AddClaim(new Claim(IssuerClaim, identity.FindFirst("iss")?.Value ?? context.Options.Authority ?? ""));
        session.AddClaim(new Claim(ConsoleSignIn.SignedInAtClaim, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        if (identity.FindFirst(NameClaim)?.Value is { Length: > 0 } name) session.AddClaim(new Claim(NameClaim, name));
        context.Principal = principal;
        var idToken = context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage.IdToken;
        if (idToken is not null)
            context.Properties!.StoreTokens([new AuthenticationToken { Name = OpenIdConnectParameterNames.IdToken, Value = idToken }]);
        return Task.CompletedTask;
    }

    /// <summary>The provider refused, the person cancelled, or the answer did not check out: the sign-in page says so.</summary>
    private static Task RefuseAsync(RemoteFailureContext context)
    {
        Logger(context.HttpContext).LogWarning(context.Failure, "Signing in through the identity provider failed");
        context.HandleResponse();
        context.Response.Redirect($"/signin?problem={FailedProblem}");
        return Task.CompletedTask;
    }

    /// <summary>Whether a session began at the provider (it then has no account row and no password here).</summary>
    public static bool IsProviderSession(ClaimsPrincipal user) => user.HasClaim(c => c.Type == IssuerClaim);

    /// <summary>The name to show for the person signed in: the provider's name for them, else the account's.</summary>
    public static string DisplayName(ClaimsPrincipal user) =>
        user.FindFirst(NameClaim)?.Value ?? user.FindFirst(LedgerClaims.Subject)?.Value ?? "";

    /// <summary>Sends the person to the provider, to come back to <paramref name="return"/> on this host.</summary>
    internal static IResult Challenge(string? @return) =>
        TypedResults.Challenge(new AuthenticationProperties { RedirectUri = ConsoleHost.LocalPath(@return) }, [Scheme]);

    private static ILogger Logger(HttpContext http) =>
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProviderSignIn).FullName!);
}
