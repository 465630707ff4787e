using System.Net.Http.Headers;
using System.Security.Cryptography;
using Ledger.Infrastructure.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Benchmarks;

/// <summary>
/// The real API (<see cref="LedgerApi.Build"/>) on Kestrel on a loopback port over a ledger schema,
/// with a signing key of its own and only warnings logged; each case adds the settings that keep what
/// it does not measure out of the way.
/// </summary>
public static class LoopbackApi
{
    public static async Task<(WebApplication App, Uri Address)> StartAsync(string connectionString, string schema, params string[] settings)
    {
        var app = LedgerApi.Build(
        [
            $"--ConnectionStrings:Ledger={connectionString}",
            $"--Ledger:Schema={schema}",
            $"--Auth:SigningKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            "--urls=http://127.0.0.1:0",
            .. settings,
        ], builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return (app, new Uri(address));
    }

    /// <summary>Issues bearer tokens the started API accepts.</summary>
    public static TokenIssuer Tokens(WebApplication app) =>
        new(app.Services.GetRequiredService<TokenSettings>(), TimeProvider.System);

    /// <summary>A client with no cap on connections (the cases run many clients at once) and no proxy.</summary>
    public static HttpClient Client(Uri address, string token)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseProxy = false }) { BaseAddress = address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
