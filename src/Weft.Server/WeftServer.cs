// Composes the HTTP server: services, error handling, the /v1 endpoint groups, the chat, leaderboard, catalog, arena and
// compare pages and their /api, the Ollama API (/api/chat, /api/generate, /api/tags, …), the gateway to remote
// endpoints, health and metrics.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Weft.Catalog.Store;
using Weft.Server.Api;
using Weft.Server.Api.Ollama;
using Weft.Server.Api.Responses;
using Weft.Server.Hosting;
using Weft.Server.Remote;
using Weft.Server.Storage;

namespace Weft.Server;

public static class WeftServer
{
    public static WebApplication Create(ServerOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            var address = options.Host == "localhost" ? System.Net.IPAddress.Loopback
                : System.Net.IPAddress.TryParse(options.Host, out var ip) ? ip
                : throw new ArgumentException($"--host '{options.Host}' is not an IP address");
            k.Listen(address, options.Port);
        });
        builder.Services.AddSingleton(options);
        var catalog = new ModelCatalog(options.ModelsDirectory, options.Hub is { } hub ? () => PulledModels.List(hub) : null, options.AdapterVariants);
        if (options.Adapters.Count > 0) AdapterFit.CheckEachFitsSomeModel(catalog, options.Adapters);
        if (options.AdapterVariants.Count > 0) AdapterFit.CheckEachFitsSomeModel(catalog, options.AdapterVariants);
        builder.Services.AddSingleton(catalog);
        builder.Services.AddSingleton<ModelPool>();
        builder.Services.AddSingleton<PullJobs>();
        builder.Services.AddSingleton<ArenaBattles>();
        builder.Services.AddSingleton<EvalJobs>();
        builder.Services.AddSingleton<ServerMetrics>();
        builder.Services.AddSingleton(_ => new ChatStore(options.DataDirectory)); // built by the container, so disposed with it
        builder.Services.AddRemoteEndpoints(options);

        if (options.CorsOrigins.Count > 0)
            builder.Services.AddCors(c => c.AddDefaultPolicy(p =>
            {
                if (options.CorsOrigins.Contains("*")) p.AllowAnyOrigin(); else p.WithOrigins([.. options.CorsOrigins]);
                p.AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Retry-After");
            }));

        var app = builder.Build();
        if (options.CorsOrigins.Count > 0) app.UseCors(); // preflights are answered here, before the API key check
        app.Use(async (http, next) =>
        {
            var metrics = http.RequestServices.GetRequiredService<ServerMetrics>();
            if (http.Request.Path.StartsWithSegments("/v1") || OllamaProtocol.Applies(http)) metrics.Request();
            try
            {
                await next(http);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // the client went away; nothing to answer
            }
            catch (Exception e)
            {
                metrics.Error();
                await ErrorWriter.WriteAsync(http, ErrorWriter.Translate(e));
            }
        });
        app.UseRemoteGateway(); // requests for remote models leave here, before the local handlers
        var v1 = app.MapGroup("/v1");
        if (options.ApiKey is { Length: > 0 } key) v1.AddEndpointFilter(new ApiKeyCheck(key));
        v1.MapModels().MapChatCompletions().MapCompletions().MapEmbeddings().MapResponses();
        v1.MapFallback(NoSuchEndpoint);
        var api = app.MapGroup("/api");
        if (options.ApiKey is { Length: > 0 } apiKey) api.AddEndpointFilter(new ApiKeyCheck(apiKey));
        api.MapConversations().MapAssistants().MapLeaderboard().MapCatalog().MapArena().MapEvals().MapOllama();
        api.MapFallback(NoSuchEndpoint);
        var tokenizer = app.MapGroup("");
        if (options.ApiKey is { Length: > 0 } tokenizerKey) tokenizer.AddEndpointFilter(new ApiKeyCheck(tokenizerKey));
        tokenizer.MapTokenizer();
        app.MapWebUi().MapLeaderboardPage().MapCatalogPage().MapArenaPage().MapComparePage();
        app.MapHealth();
        return app;
    }

    private static IResult NoSuchEndpoint(HttpContext http) =>
        throw new ApiException(404, $"no endpoint {http.Request.Method} {http.Request.Path}", code: "not_found");
}
