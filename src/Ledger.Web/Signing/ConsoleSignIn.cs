using System.Security.Claims;
using Ledger.Domain;
using Ledger.Infrastructure.Identity;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Ledger.Web.Signing;

/// <summary>
/// The console's session: a cookie carrying the same claims as the API's tokens (<c>sub</c>,
/// <c>ledger_role</c>, <c>ledger_government</c>), so every event a page appends names the person
/// signed in, exactly as an API call would.
/// </summary>
public static class ConsoleSignIn
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "ledger.session";

    /// <summary>How long a session lasts without use; each request within it renews it.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    public static void ConfigureCookie(CookieAuthenticationOptions options)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.ExpireTimeSpan = IdleTimeout;
        options.SlidingExpiration = true;
        options.LoginPath = "/signin";
        options.LogoutPath = "/signout";
        options.AccessDeniedPath = "/forbidden";
        options.ReturnUrlParameter = "return";
    }

    public static ClaimsPrincipal Principal(string subject, string role, string? government)
    {
        var claims = new List<Claim> { new(LedgerClaims.Subject, subject), new(LedgerClaims.Role, role) };
        if (government is not null) claims.Add(new Claim(LedgerClaims.Government, government));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, LedgerClaims.Subject, LedgerClaims.Role));
    }

    public static Actor? Actor(ClaimsPrincipal user) => LedgerClaims.ToActor(user);
}

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

    public static AuthorizationBuilder AddConsolePolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(SignedIn, p => Signed(p).RequireClaim(LedgerClaims.Role, LedgerClaims.Roles.Keys))
        .AddPolicy(Government, p => Signed(p).RequireClaim(LedgerClaims.Role, "government"))
        .AddPolicy(Supervisor, p => Signed(p).RequireClaim(LedgerClaims.Role, "supervisor"))
        .AddPolicy(Decision, p => Signed(p).RequireClaim(LedgerClaims.Role, "decision"))
        .AddPolicy(Auditor, p => Signed(p).RequireClaim(LedgerClaims.Role, "auditor"))
        .AddPolicy(Oversight, p => Signed(p).RequireClaim(LedgerClaims.Role, "supervisor", "decision", "auditor"))
        .AddPolicy(AccessLog, p => Signed(p).RequireClaim(LedgerClaims.Role, "supervisor", "decision", "auditor"));

    private static AuthorizationPolicyBuilder Signed(AuthorizationPolicyBuilder p) =>
        p.AddAuthenticationSchemes(ConsoleSignIn.Scheme).RequireAuthenticatedUser();
}
