using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Ledger.Api.Tests.Support;

/// <summary>
/// A real OpenID Connect provider for the sign-in tests: OpenIddict's server on a loopback Kestrel
/// port of its own, with a sign-in page that a browser fills in. It runs in OpenIddict's degraded
/// mode: no database, so its clients and people are the lists below (checked by the handlers here,
/// which OpenIddict's stores would otherwise check), its keys are ephemeral RSA keys, and its codes
/// are self-contained. Everything else — discovery, keys, authorization codes with PKCE, the token
/// endpoint, signed ID and access tokens, end-session — is OpenIddict's own.
/// </summary>
public sealed class IdentityProvider : IAsyncDisposable
{
    /// <summary>The scope that carries the ledger's claims (<c>ledger_role</c>, <c>ledger_government</c>).</summary>
    public const string LedgerScope = "ledger";

    /// <summary>The ledger's API, as the access tokens name their audience.</summary>
    public const string LedgerAudience = "ledger";

    private const string PersonScheme = "provider-person";

    private readonly ConcurrentDictionary<string, ProviderPerson> _people = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ProviderClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<JsonObject> _authorizations = new();
    private readonly ShiftedClock _clock = new();
    private WebApplication? _app;
    private int _endedSessions;

    /// <summary>The provider's issuer (its own address, as OpenIddict names itself from the request).</summary>
    public Uri Issuer { get; private set; } = null!;

    /// <summary>The authorization requests the provider answered: client, scope, code challenge method.</summary>
    public IReadOnlyList<JsonObject> Authorizations => [.. _authorizations];

    /// <summary>How many times someone signed out at the provider's end-session endpoint.</summary>
    public int EndedSessions => Volatile.Read(ref _endedSessions);

    /// <summary>Moves the provider's clock (what it writes in <c>iat</c>, <c>nbf</c>, <c>exp</c>) away from the wall clock.</summary>
    public TimeSpan ClockShift { get => _clock.Shift; set => _clock.Shift = value; }


    public ProviderPerson Add(ProviderPerson person) => _people[person.Login] = person;

    public ProviderClient Add(ProviderClient client) => _clients[client.Id] = client;

    /// <summary>An access token for a client of its own (the client credentials grant), as a service would ask for one.</summary>
    public async Task<string> ServiceTokenAsync(ProviderClient client, string scope = LedgerScope)
    {
        using var http = new HttpClient { BaseAddress = Issuer };
        using var response = await http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = GrantTypes.ClientCredentials,
            ["client_id"] = client.Id,
            ["client_secret"] = client.Secret,
            ["scope"] = scope,
        }));
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"the provider refused the token request: {(int)response.StatusCode} {body}");
        return (string)body!["access_token"]!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Starts the provider on a loopback port of its own; <see cref="Issuer"/> names it from then on.</summary>
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = "Ledger.IdentityProvider" });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddAuthentication(PersonScheme).AddCookie(PersonScheme, options =>
        {
            // The ledger's host is on the same loopback address (cookies do not tell ports apart): a name of its own.
            options.Cookie.Name = "provider.person";
            options.LoginPath = "/login";
        });
        builder.Services.AddOpenIddict().AddServer(options =>
        {
            options.SetAuthorizationEndpointUris("connect/authorize")
                .SetTokenEndpointUris("connect/token")
                .SetEndSessionEndpointUris("connect/endsession");
            options.AllowAuthorizationCodeFlow().AllowClientCredentialsFlow();
            options.RequireProofKeyForCodeExchange();
            options.RegisterScopes(Scopes.OpenId, Scopes.Profile, LedgerScope);
            options.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            // The ledger reads its access tokens as signed JWTs, as any resource server does.
            options.DisableAccessTokenEncryption();
            options.EnableDegradedMode();
            options.UseAspNetCore()
                .EnableAuthorizationEndpointPassthrough()
                .EnableEndSessionEndpointPassthrough()
                // Loopback HTTP only: the tests' provider and ledger never leave the machine.
                .DisableTransportSecurityRequirement();
            options.AddEventHandler<ValidateAuthorizationRequestContext>(handler => handler.UseInlineHandler(ValidateAuthorization));
            options.AddEventHandler<ValidateTokenRequestContext>(handler => handler.UseInlineHandler(ValidateTokenRequest));
            options.AddEventHandler<HandleTokenRequestContext>(handler => handler.UseInlineHandler(IssueServiceToken));
            options.AddEventHandler<ValidateEndSessionRequestContext>(handler => handler.UseInlineHandler(ValidateEndSession));
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], (Func<HttpContext, Task<IResult>>)AuthorizeAsync);
        app.MapMethods("/connect/endsession", [HttpMethods.Get, HttpMethods.Post], (Func<HttpContext, Task<IResult>>)EndSessionAsync);
        app.MapGet("/login", (string? @return) => LoginPage(@return, error: false));
        app.MapPost("/login", (Func<HttpContext, Task<IResult>>)SignInPersonAsync);
        // Browsers ask for it; an answer of 404 would read as a failure in the tests' traffic.
        app.MapGet("/favicon.ico", () => Results.NoContent());
        await app.StartAsync();
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Issuer = new Uri(address.TrimEnd('/') + "/");
    }

    private ValueTask ValidateAuthorization(ValidateAuthorizationRequestContext context)
    {
        if (context.ClientId is null || !_clients.TryGetValue(context.ClientId, out var client))
            context.Reject(Errors.InvalidClient, "unknown client_id");
        else if (context.RedirectUri is null || !client.RedirectUris.Contains(context.RedirectUri))
            context.Reject(Errors.InvalidRequest, $"redirect_uri {context.RedirectUri} is not registered for {client.Id}");
        return default;
    }

    private ValueTask ValidateTokenRequest(ValidateTokenRequestContext context)
    {
        if (context.ClientId is null || !_clients.TryGetValue(context.ClientId, out var client))
            context.Reject(Errors.InvalidClient, "unknown client_id");
        else if (!string.Equals(context.ClientSecret, client.Secret, StringComparison.Ordinal))
            context.Reject(Errors.InvalidClient, "wrong client_secret");
        else if (context.Request.IsClientCredentialsGrantType() && client.Role is null)
            context.Reject(Errors.UnauthorizedClient, "this client signs people in; it has no identity of its own");
        return default;
    }

    /// <summary>A service's own identity: its client id as the subject, its ledger claims in the access token.</summary>
    private ValueTask IssueServiceToken(HandleTokenRequestContext context)
    {
        if (!context.Request.IsClientCredentialsGrantType()) return default;
        var client = _clients[context.Request.ClientId!];
        var identity = new ClaimsIdentity("provider", Claims.Subject, "ledger_role");
        identity.SetClaim(Claims.Subject, client.Id).SetClaim("ledger_role", client.Role).SetClaim("ledger_government", client.Government)
            .SetClaim("ledger_zone", client.Zone);
        identity.SetScopes(context.Request.GetScopes()).SetResources(LedgerAudience);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        context.SignIn(new ClaimsPrincipal(identity));
        return default;
    }

    private ValueTask ValidateEndSession(ValidateEndSessionRequestContext context)
    {
        if (!string.IsNullOrEmpty(context.PostLogoutRedirectUri) && !_clients.Values.Any(c => c.PostLogoutRedirectUris.Contains(context.PostLogoutRedirectUri)))
            context.Reject(Errors.InvalidRequest, $"post_logout_redirect_uri {context.PostLogoutRedirectUri} is not registered");
        return default;
    }

    /// <summary>
    /// The authorization endpoint: whoever has not signed in at the provider goes to its sign-in page
    /// first; then the code is issued for the person, with the claims the scopes asked for.
    /// </summary>
    private async Task<IResult> AuthorizeAsync(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
        _authorizations.Enqueue(new JsonObject
        {
            ["client_id"] = request.ClientId,
            ["scope"] = request.Scope,
            ["code_challenge_method"] = request.CodeChallengeMethod,
            ["response_type"] = request.ResponseType,
        });
        var signedIn = await http.AuthenticateAsync(PersonScheme);
        if (signedIn.Principal?.FindFirst(Claims.Subject)?.Value is not { } login || !_people.TryGetValue(login, out var person))
            return Results.Redirect("/login?return=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString));

        var scopes = request.GetScopes();
        var identity = new ClaimsIdentity("provider", Claims.Subject, "ledger_role");
        identity.SetClaim(Claims.Subject, person.Subject).SetClaim(Claims.Name, person.Name);
        if (scopes.Contains(LedgerScope))
            identity.SetClaim("ledger_role", person.Role).SetClaim("ledger_government", person.Government).SetClaim("ledger_zone", person.Zone);
        identity.SetScopes(scopes).SetResources(LedgerAudience);
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Name when scopes.Contains(Scopes.Profile) => [Destinations.IdentityToken, Destinations.AccessToken],
            "ledger_role" or "ledger_government" or "ledger_zone" => [Destinations.IdentityToken, Destinations.AccessToken],
            _ => [Destinations.AccessToken],
        });
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private async Task<IResult> EndSessionAsync(HttpContext http)
    {
        await http.SignOutAsync(PersonScheme);
        Interlocked.Increment(ref _endedSessions);
        // OpenIddict sends the person on to the client's post_logout_redirect_uri, checked above.
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/login" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private async Task<IResult> SignInPersonAsync(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync();
        var (login, password, back) = ((string?)form["login"] ?? "", (string?)form["password"] ?? "", (string?)form["return"] ?? "");
        if (!_people.TryGetValue(login, out var person) || !string.Equals(person.Password, password, StringComparison.Ordinal))
            return LoginPage(back, error: true);
        await http.SignInAsync(PersonScheme, new ClaimsPrincipal(new ClaimsIdentity([new Claim(Claims.Subject, login)], PersonScheme)));
        return Results.Redirect(back.StartsWith("/connect/authorize?", StringComparison.Ordinal) ? back : "/login");
    }

    private static IResult LoginPage(string? back, bool error)
    {
        var encoded = WebUtility.HtmlEncode(back ?? "");
        var message = error ? """<p id="login-error" role="alert">Wrong name or password.</p>""" : "";
        return Results.Content($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Identity provider · sign in</title></head>
            <body><main>
            <h1>Identity provider</h1>
            {{message}}
            <form method="post" action="/login">
              <input type="hidden" name="return" value="{{encoded}}">
              <p><label for="login">Name</label> <input id="login" name="login" autocomplete="username"></p>
              <p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>
              <p><button type="submit">Sign in at the provider</button></p>
            </form>
            </main></body></html>
            """, "text/html; charset=utf-8");
    }

    /// <summary>The wall clock, moved by <see cref="Shift"/>.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;
    }
}

/// <summary>A person the provider knows, by the name they type at its sign-in page.</summary>
/// <param name="Login">What they type as their name at the provider's sign-in page.</param>
/// <param name="Password">Their password there.</param>
/// <param name="Subject">The <c>sub</c> the provider gives them (what the ledger records as the actor).</param>
/// <param name="Name">Their name as people read it (the <c>name</c> claim).</param>
/// <param name="Role">Their <c>ledger_role</c> claim, or none.</param>
/// <param name="Government">Their <c>ledger_government</c> claim, for a county official.</param>
/// <param name="Zone">Their <c>ledger_zone</c> claim: the zone whose ledger they work in (none: a token no node accepts).</param>
public sealed record ProviderPerson(string Login, string Password, string Subject, string Name, string? Role, string? Government = null, string? Zone = "pilot-zone");

/// <summary>A client the provider knows: the ledger's console (redirect URIs), or a service with an identity of its own (a role).</summary>
public sealed record ProviderClient(string Id, string Secret)
{
    public HashSet<string> RedirectUris { get; } = new(StringComparer.Ordinal);

    public HashSet<string> PostLogoutRedirectUris { get; } = new(StringComparer.Ordinal);

    /// <summary>For the client credentials grant: the service's own <c>ledger_role</c>.</summary>
    public string? Role { get; init; }

    public string? Government { get; init; }

    /// <summary>The service's <c>ledger_zone</c>: the pilot zone unless set (null: none at all).</summary>
    public string? Zone { get; init; } = "pilot-zone";
}
