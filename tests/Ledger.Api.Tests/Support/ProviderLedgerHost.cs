using Ledger.Web.Signing;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Support;

/// <summary>
/// The real API and console with <c>Auth:Authority</c> naming a real OpenID Connect provider (an
/// <see cref="IdentityProvider"/> that is already running): its tokens are the API's, and the console
/// signs people in there as the client <see cref="ConsoleClient"/>.
/// </summary>
public class ProviderLedgerHost(IdentityProvider provider) : LedgerHost
{
    /// <summary>The console as the provider knows it; the host's callback addresses are added once it has bound its port.</summary>
    public ProviderClient ConsoleClient { get; } = provider.Add(new ProviderClient("ledger-console", "console-secret-for-tests"));

    public IdentityProvider Provider => provider;

    /// <summary>The address Kestrel bound (a loopback port the system chose).</summary>
    public Uri Origin => new(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    protected override void Customize(IWebHostBuilder builder)
    {
        builder.UseSetting("Auth:Authority", provider.Issuer.ToString());
        // The provider is on this machine's loopback, over HTTP.
        builder.UseSetting("Auth:RequireHttpsMetadata", "false");
        builder.UseSetting("Auth:ClientId", ConsoleClient.Id);
        builder.UseSetting("Auth:ClientSecret", ConsoleClient.Secret);
        // The host's clock is moved back to the scenario's dates; the sign-in's correlation and nonce
        // cookies carry an expiry that the browser reads by the wall clock, so they are stamped with it.
        builder.ConfigureTestServices(services =>
            services.PostConfigure<OpenIdConnectOptions>(ProviderSignIn.Scheme, options => options.TimeProvider = TimeProvider.System));
    }

    /// <summary>Registers the console's callbacks at the provider, on the port the host bound.</summary>
    public void RegisterCallbacks()
    {
        var origin = Origin.GetLeftPart(UriPartial.Authority);
        ConsoleClient.RedirectUris.Add(origin + ProviderSignIn.CallbackPath);
        ConsoleClient.PostLogoutRedirectUris.Add(origin + ProviderSignIn.SignedOutCallbackPath);
    }
}
