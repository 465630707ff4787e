using System.Text.Encodings.Web;
using System.Text.Unicode;
using Ledger.Infrastructure.Evidence;
using Ledger.Web.Auditing;
using Ledger.Web.Components;
using Ledger.Web.Localization;
using Ledger.Web.Signing;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Web;

/// <summary>
/// How the API's composition root takes the console in: services and cookie sign-in here, the pages
/// mapped at "/" beside the API's "/api". The API keeps its bearer tokens as the default scheme; only
/// the console's pages use the cookie (so a cookie never authorizes an API call).
/// </summary>
public static class ConsoleHost
{
    public static WebApplicationBuilder AddLedgerConsole(this WebApplicationBuilder builder)
    {
        // The console's stylesheet and scripts are static web assets of this project; the host serves
        // them from the build output in every environment, not only in Development.
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;
        services.AddRazorComponents();
        // Chinese text is written as itself, not as &#x...; entities (the pages stay readable as sent).
        services.AddSingleton(HtmlEncoder.Create(UnicodeRanges.All));
        services.AddLocalization();
        services.Configure<RequestLocalizationOptions>(ConsoleCultures.Configure);
        services.AddCascadingAuthenticationState();
        services.AddAntiforgery();
        services.AddHttpContextAccessor();
        services.AddScoped<GovernmentNames>();
        services.AddScoped<Writing.ConsoleCommands>();
        services.AddConsoleAudit();
        var provider = ProviderSignIn.IsConfigured(builder.Configuration);
        services.AddSingleton(new ConsoleSignInMode(provider));
        var authentication = services.AddAuthentication()
            .AddCookie(ConsoleSignIn.Scheme, options => ConsoleSignIn.ConfigureCookie(options, provider));
        if (provider) authentication.AddProviderSignIn();
        services.AddAuthorizationBuilder().AddConsolePolicies();
        return builder;
    }

    /// <summary>Before authentication: the page's language is chosen for every request the console answers.</summary>
    public static WebApplication UseLedgerConsoleLanguage(this WebApplication app)
    {
        app.UseRequestLocalization();
        return app;
    }

    /// <summary>
    /// After authentication: on the console's endpoints the session cookie names the person, so that what
    /// runs before the page's own authorization (the access log, the rate limiter) knows who asks, as it
    /// knows from a token on the API's endpoints. A bearer token's user is never replaced.
    /// </summary>
    public static WebApplication UseLedgerConsoleSession(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<ConsoleEndpoint>() is not null && http.User.Identity?.IsAuthenticated != true)
            {
                var session = await http.AuthenticateAsync(ConsoleSignIn.Scheme);
                if (session.Succeeded) http.User = session.Principal;
            }
            await next();
        });
        return app;
    }

    public static WebApplication MapLedgerConsole(this WebApplication app)
    {
        app.UseAntiforgery();
        // The command-line tool runs the same application in-process to load the scenario; it has no
        // static assets of its own and serves no page.
        var manifest = Path.Combine(AppContext.BaseDirectory, $"{app.Environment.ApplicationName}.staticwebassets.endpoints.json");
        if (File.Exists(manifest)) app.MapStaticAssets(manifest);
        app.MapGet("/language/{name}", ChooseLanguage).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/signout", SignOutAsync).AllowAnonymous().ExcludeFromDescription();
        if (app.Services.GetRequiredService<ConsoleSignInMode>().Provider)
            app.MapGet(ProviderSignIn.ChallengePath, (string? @return) => ProviderSignIn.Challenge(@return)).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/evidence/{sha256}", DownloadEvidence).RequireAuthorization(ConsolePolicies.SignedIn).ExcludeFromDescription();
        app.MapConsoleAudit();
        app.MapRazorComponents<App>().WithMetadata(ConsoleEndpoint.Instance);
        return app;
    }

    /// <summary>The switch on every page: a plain link, so it works without script; the cookie lasts a year.</summary>
    private static IResult ChooseLanguage(string name, string? @return, HttpContext http)
    {
        var culture = ConsoleCultures.Find(name);
        if (culture is null) return TypedResults.NotFound();
        http.Response.Cookies.Append(ConsoleCultures.CookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture.Name)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true });
        return TypedResults.LocalRedirect(LocalPath(@return));
    }

    /// <summary>
    /// Ends the session and goes to the sign-in page. A POST with the form's antiforgery token only: a
    /// page elsewhere cannot sign a person out behind their back. A session the provider began ends
    /// at the provider too (its end-session endpoint, which sends the person back to the sign-in page).
    /// </summary>
    private static async Task<IResult> SignOutAsync(HttpContext http, IAntiforgery antiforgery, ConsoleSignInMode mode)
    {
        // The token was issued to the signed-in person, whom only the console's scheme knows (the API's is the default).
        if ((await http.AuthenticateAsync(ConsoleSignIn.Scheme)).Principal is { } person) http.User = person;
        if (!await antiforgery.IsRequestValidAsync(http)) return TypedResults.BadRequest();
        if (mode.Provider && ProviderSignIn.IsProviderSession(http.User))
        {
            // The provider's sign-out reads the ID token from the session, so it goes first; it answers with the redirect.
            await http.SignOutAsync(ProviderSignIn.Scheme, new AuthenticationProperties { RedirectUri = "/signin" });
            await http.SignOutAsync(ConsoleSignIn.Scheme);
            return TypedResults.Empty;
        }
        await http.SignOutAsync(ConsoleSignIn.Scheme);
        return TypedResults.LocalRedirect("/signin");
    }

    /// <summary>
    /// An evidence file by its SHA-256, always as a download (never rendered in the console's origin),
    /// with the hash the ledger recorded as its name.
    /// </summary>
    private static async Task<IResult> DownloadEvidence(string sha256, EvidenceFiles files, HttpContext http)
    {
        if (await files.ReadAsync(sha256, http.RequestAborted) is not { } found) return TypedResults.NotFound();
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(found.Content, found.File.MediaType, fileDownloadName: found.File.Sha256);
    }

    /// <summary>Only a path on this host: anything else (another host, "//host", a scheme) goes home.</summary>
    public static string LocalPath(string? path) =>
        !string.IsNullOrEmpty(path) && path[0] == '/' && (path.Length == 1 || (path[1] != '/' && path[1] != '\\')) ? path : "/";
}
