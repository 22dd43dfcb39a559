// The gateway: POST /v1/chat/completions, /v1/completions, /v1/responses and /v1/embeddings for a model that only remote endpoints
// serve are forwarded with YARP's IHttpForwarder to one of its replicas (ReplicaChooser), before the local handlers
// run. A replica that fails before the first byte of its answer (refused, reset, 5xx) is marked and the request goes
// to another; streams pass through as they come. A model id served both here and by remote replicas is one pool: each
// request goes to this server's own copy or to a replica, by the same rule (LocalMember).
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Weft.Server.Api;
using Weft.Server.Hosting;
using Yarp.ReverseProxy.Forwarder;

namespace Weft.Server.Remote;

internal static class Gateway
{
    private static readonly string[] Forwarded = ["/v1/chat/completions", "/v1/completions", "/v1/responses", "/v1/embeddings"];

    /// <summary>Retries on other replicas are bounded, so a request never walks a long list of failing ones.</summary>
    private const int MaxAttempts = 3;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "the container disposes what its factory returns")]
    public static IServiceCollection AddRemoteEndpoints(this IServiceCollection services, ServerOptions options)
    {
        string? file = options.EndpointsFile ?? Path.Combine(options.DataDirectory, "endpoints.yaml");
        if (options.EndpointsFile != null && !File.Exists(options.EndpointsFile))
            throw new ArgumentException($"--endpoints: the file '{options.EndpointsFile}' does not exist");
        RemoteEndpoints remote;
        try { remote = new RemoteEndpoints(file); } // a file with errors stops the start, naming the line
        catch (EndpointsFileException e) { throw new ArgumentException(e.Message, e); }
        services.AddSingleton(_ => remote); // through a factory, so the container disposes it
        services.AddHostedService(sp => sp.GetRequiredService<RemoteEndpoints>());
        services.AddSingleton<LocalMembers>();
        services.AddHttpForwarder();
        return services;
    }

    public static IApplicationBuilder UseRemoteGateway(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var request = http.Request;
        if (!HttpMethods.IsPost(request.Method) || !Forwarded.Any(p => request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            await next(http);
            return;
        }
        var remote = http.RequestServices.GetRequiredService<RemoteEndpoints>();
        if (remote.All.Count == 0)
        {
            await next(http);
            return;
        }
        request.EnableBuffering(); // read here for the model id, read again by the local handlers
        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy, http.RequestAborted);
        request.Body.Position = 0;
        byte[] body = copy.ToArray();
        string? model = ModelOf(body);
        var catalog = http.RequestServices.GetRequiredService<ModelCatalog>();
        IReadOnlyList<RemoteEndpoint> replicas;
        if (model == null || (replicas = remote.Replicas(model)).Count == 0)
        {
            await next(http); // a local model, or a request the local handlers will refuse
            return;
        }
        var options = http.RequestServices.GetRequiredService<ServerOptions>();
        if (options.ApiKey is { Length: > 0 } key) ApiKeyCheck.Verify(http, key);
        RemoteEndpoint? first = null;
        if (catalog.Find(model) != null)
        {
            // pooled: this server's own copy is one more member, chosen by the same rule as the replicas
            var local = http.RequestServices.GetRequiredService<LocalMembers>().For(model);
            var chosen = ReplicaChooser.Take<IPoolMember>([local, .. replicas], []);
            if (chosen is LocalMember || chosen == null)
            {
                await ServeLocallyAsync(http, next, local, counted: chosen != null);
                return;
            }
            first = (RemoteEndpoint)chosen;
        }
        await ForwardAsync(http, model, replicas, body, remote, first);
    });

    private static async Task ServeLocallyAsync(HttpContext http, RequestDelegate next, LocalMember local, bool counted)
    {
        http.Response.Headers[GatewayTransformer.ReplicaHeader] = LocalMember.LocalName;
        try { await next(http); }
        finally { if (counted) local.End(); }
    }

    /// <param name="first">the replica already chosen (and counted) for the first attempt; null: choose it here</param>
    private static async Task ForwardAsync(HttpContext http, string model, IReadOnlyList<RemoteEndpoint> replicas, byte[] body, RemoteEndpoints remote, RemoteEndpoint? first)
    {
        var forwarder = http.RequestServices.GetRequiredService<IHttpForwarder>();
        var config = new ForwarderRequestConfig { ActivityTimeout = remote.Config.ActivityTimeout };
        var tried = new List<RemoteEndpoint>();
        string? lastFailure = null;
        while (tried.Count < MaxAttempts && (first ?? ReplicaChooser.Take(replicas, tried)) is { } replica)
        {
            first = null;
            tried.Add(replica);
            bool another = tried.Count < MaxAttempts && ReplicaChooser.Choose(replicas, tried) != null;
            http.Request.Body = new MemoryStream(body, writable: false); // every attempt sends the body whole
            http.Request.ContentLength = body.Length;
            var transformer = new GatewayTransformer(replica, holdBackFailures: another);
            var clock = Stopwatch.StartNew();
            ForwarderError error;
            try
            {
                error = await forwarder.SendAsync(http, replica.Spec.Base, remote.Forwarding, config, transformer);
            }
            finally
            {
                replica.End(clock.Elapsed);
            }

            if (http.RequestAborted.IsCancellationRequested) return; // the caller went away
            if (transformer.HeldBack is int held)
            {
                lastFailure = $"'{replica.Name}' answered {held}";
                replica.Failed(lastFailure, connection: false);
                Reset(http);
                continue;
            }
            if (transformer.Cut is { } cut)
            {
                replica.Failed(cut, connection: true); // the stream already ended with an error event
                return;
            }
            if (error == ForwarderError.None)
            {
                int status = http.Response.StatusCode;
                if (status >= 500) replica.Failed($"answered {status}", connection: false);
                else if (status >= 400) replica.CountError();
                else replica.Succeeded();
                return;
            }
            string why = http.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? error.ToString();
            replica.Failed(why, connection: true);
            lastFailure = $"'{replica.Name}': {why}";
            if (http.Response.HasStarted) return; // YARP has cut the answer: nothing more can be said
            Reset(http);
        }
        if (tried.Count == 0)
            throw new ApiException(503, $"no replica of the model '{model}' is up ({string.Join("; ", replicas.Select(r => $"{r.Name}: {r.Problem ?? "out"}"))})",
                "server_error", code: "no_replica") { RetryAfter = (int)Math.Ceiling(remote.Config.HealthInterval.TotalSeconds) };
        throw new ApiException(502, $"no replica of the model '{model}' answered; the last: {lastFailure}", "server_error", code: "upstream_failed");
    }

    /// <summary>Forgets a failed attempt: status, headers and YARP's error, so the next attempt starts clean.</summary>
    private static void Reset(HttpContext http)
    {
        http.Response.Clear();
        http.Features.Set<IForwarderErrorFeature>(null);
    }

    /// <summary>The "model" of a JSON request body; null when the body is not an object with a string model.</summary>
    private static string? ModelOf(byte[] body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isModel = reader.ValueTextEquals("model"u8);
                reader.Read();
                if (isModel) return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
