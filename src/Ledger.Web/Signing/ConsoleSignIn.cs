using System.Globalization;
using System.Security.Claims;
using Ledger.Domain;
using Ledger.Infrastructure.Accounts;
using Ledger.Infrastructure.Identity;
using Ledger.Infrastructure.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Web.Signing;

/// <summary>
/// The console's session: a cookie carrying the same claims as the API's tokens (<c>sub</c>,
/// <c>ledger_role</c>, <c>ledger_government</c>), so every event a page appends names the person
/// signed in, exactly as an API call would. It carries the account's session stamp too, checked
/// against the accounts' table on every request: disabling an account, resetting its password or
/// granting it another role writes a new stamp, and every open session of it ends at its next request.
/// </summary>
public static class ConsoleSignIn
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "ledger.session";

    /// <summary>The account's session stamp when the session began.</summary>
    public const string SessionStampClaim = "ledger_session";
    /// <summary>When the person signed in (Unix seconds), for the absolute lifetime.</summary>
    public const string SignedInAtClaim = "ledger_signed_in_at";
    /// <summary>Present while the person signed in with a one-time password: every page but the password's is closed.</summary>
    public const string PasswordChangeClaim = "ledger_password_change";

    /// <summary>How long a session lasts without use; each request within it renews it.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    /// <summary>How long a session lasts however busy: after a working day, sign in again.</summary>
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(12);

    public const string PasswordPath = "/account/password";

    /// <param name="options">The cookie scheme's options.</param>
    /// <param name="provider">Whether people sign in through an OpenID Connect provider (<see cref="ProviderSignIn"/>).</param>
    public static void ConfigureCookie(CookieAuthenticationOptions options, bool provider)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        // Strict keeps the session off every request another site starts. Coming back from a provider on
        // another site is such a request, and so is the redirect after it: with Strict the first page
        // would not see the session just made and would send the person to the provider again. Lax
        // still keeps it off other sites' posts; every form carries its antiforgery token besides.
        options.Cookie.SameSite = provider ? SameSiteMode.Lax : SameSiteMode.Strict;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.ExpireTimeSpan = IdleTimeout;
        options.SlidingExpiration = true;
        options.LoginPath = "/signin";
        options.LogoutPath = "/signout";
        options.AccessDeniedPath = "/forbidden";
        options.ReturnUrlParameter = "return";
        options.Events.OnValidatePrincipal = ValidateAsync;
        if (provider)
        {
            // A page asked for without a session goes straight to the provider, and comes back to it.
            options.Events.OnRedirectToLogin = context =>
            {
                var asked = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
                context.Response.Redirect($"{ProviderSignIn.ChallengePath}?return={Uri.EscapeDataString(asked)}");
                return Task.CompletedTask;
            };
        }
        var denied = options.Events.OnRedirectToAccessDenied;
        options.Events.OnRedirectToAccessDenied = context =>
        {
            // Someone holding a one-time password is sent to replace it, and then on to the page asked for.
            if (context.HttpContext.User.HasClaim(c => c.Type == PasswordChangeClaim))
            {
                var asked = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
                context.Response.Redirect($"{PasswordPath}?return={Uri.EscapeDataString(asked)}");
                return Task.CompletedTask;
            }
            return denied(context);
        };
    }

    /// <summary>
    /// On every request: the session is refused (and its cookie dropped) once it is older than the
    /// absolute lifetime, or when its account no longer carries the stamp it began with. A session
    /// the provider began has no account here: its lifetime alone is checked, and only while the host
    /// signs people in through a provider (as a local account's session only while it does not).
    /// </summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var user = context.Principal;
        var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountBook>();
        var provider = context.HttpContext.RequestServices.GetRequiredService<ConsoleSignInMode>().Provider;
        var subject = user?.FindFirst(LedgerClaims.Subject)?.Value;
        var stamp = user?.FindFirst(SessionStampClaim)?.Value;
        var fresh = long.TryParse(user?.FindFirst(SignedInAtClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && accounts.Time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds) < AbsoluteLifetime
            && subject is not null;
        var zone = ZoneOf(context.HttpContext);
        fresh = fresh && user is not null && LedgerClaims.ZoneRefusal(user, zone) is null;
        var current = user is not null && ProviderSignIn.IsProviderSession(user)
            ? fresh && provider
            : fresh && !provider && stamp is not null
                && await accounts.SessionStampAsync(subject!, context.HttpContext.RequestAborted) == stamp;
        if (current) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(Scheme);
    }

    /// <summary>The session of a person who has just signed in (or changed their password).</summary>
    public static ClaimsPrincipal Principal(AccountSession session, DateTimeOffset signedInAt, string zone)
    {
        var principal = Principal(session.AccountId, session.RoleName, session.GovernmentId, zone);
        var identity = (ClaimsIdentity)principal.Identity!;
        identity.AddClaim(new Claim(SessionStampClaim, session.SessionStamp));
        identity.AddClaim(new Claim(SignedInAtClaim, signedInAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        if (session.MustChangePassword) identity.AddClaim(new Claim(PasswordChangeClaim, "required"));
        return principal;
    }

    /// <summary>A session belongs to the zone of the node it was begun on (<paramref name="zone"/>), as a token does.</summary>
    public static ClaimsPrincipal Principal(string subject, string role, string? government, string zone)
    {
        var claims = new List<Claim> { new(LedgerClaims.Subject, subject), new(LedgerClaims.Role, role), new(LedgerClaims.Zone, zone) };
        if (government is not null) claims.Add(new Claim(LedgerClaims.Government, government));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, LedgerClaims.Subject, LedgerClaims.Role));
    }

    public static Actor? Actor(ClaimsPrincipal user) => LedgerClaims.ToActor(user);

    /// <summary>The zone this node serves (<c>Ledger:Zone</c>), which its sessions carry.</summary>
    public static string ZoneOf(HttpContext http) => http.RequestServices.GetRequiredService<LedgerSettings>().Zone;
}

/// <summary>How this host signs people in to the console: with its own accounts, or through an OpenID Connect provider.</summary>
/// <param name="Provider">True when <c>Auth:Authority</c> (or <c>Auth:MetadataAddress</c>) names a provider.</param>
public sealed record ConsoleSignInMode(bool Provider);

/// <summary>Which pages each role opens; the deciders check again what a person may write.</summary>
public static class ConsolePolicies
{
    public const string SignedIn = "console";
    public const string Government = "console-government";
    public const string Supervisor = "console-supervisor";
    public const string Decision = "console-decision";
    public const string Auditor = "console-auditor";
    /// <summary>Who reads the supervision views: supervisors, the decision level and auditors.</summary>
    public const string Oversight = "console-oversight";
    /// <summary>Who reads the access log: supervisors, the decision level and auditors.</summary>
    public const string AccessLog = "console-access-log";
    /// <summary>Who reads the accounts' history (who could do what, when): auditors and supervisors.</summary>
    public const string AccountAudit = "console-account-audit";
    /// <summary>Anyone signed in, a one-time password's holder too: their own account's pages.</summary>
    public const string OwnAccount = "console-own-account";

    public static AuthorizationBuilder AddConsolePolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(SignedIn, p => Signed(p).RequireClaim(LedgerClaims.Role, LedgerClaims.Roles.Keys))
        .AddPolicy(Government, p => Signed(p).RequireClaim(LedgerClaims.Role, "government"))
        .AddPolicy(Supervisor, p => Signed(p).RequireClaim(LedgerClaims.Role, "supervisor"))
        .AddPolicy(Decision, p => Signed(p).RequireClaim(LedgerClaims.Role, "decision"))
        .AddPolicy(Auditor, p => Signed(p).RequireClaim(LedgerClaims.Role, "auditor"))
        .AddPolicy(Oversight, p => Signed(p).RequireClaim(LedgerClaims.Role, "supervisor", "decision", "auditor"))
        .AddPolicy(AccessLog, p => Signed(p).RequireClaim(LedgerClaims.Role, "supervisor", "decision", "auditor"))
        .AddPolicy(AccountAudit, p => Signed(p).RequireClaim(LedgerClaims.Role, "supervisor", "auditor"))
        .AddPolicy(OwnAccount, p => p.AddAuthenticationSchemes(ConsoleSignIn.Scheme).RequireAuthenticatedUser());

    // Every page but the password's waits until a one-time password has been replaced.
    private static AuthorizationPolicyBuilder Signed(AuthorizationPolicyBuilder p) =>
        p.AddAuthenticationSchemes(ConsoleSignIn.Scheme).RequireAuthenticatedUser()
            .RequireAssertion(c => !c.User.HasClaim(claim => claim.Type == ConsoleSignIn.PasswordChangeClaim));
}
