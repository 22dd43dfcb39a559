// Shapes one forwarded request and its answer: the path after /v1 goes to the endpoint's base URL with the endpoint's
// own key, and the answer names the replica (X-Weft-Replica); a 5xx answer is held back while another replica can still be tried; a stream (SSE) is guarded so that an
// endpoint that breaks off ends it with an error event.
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Weft.Server.Remote;

internal sealed class GatewayTransformer(RemoteEndpoint replica, bool holdBackFailures) : HttpTransformer
{
    /// <summary>The response header naming the endpoint that answered.</summary>
    public const string ReplicaHeader = "X-Weft-Replica";

    /// <summary>The status of a 5xx answer that was not passed on (the caller tries another replica).</summary>
    public int? HeldBack { get; private set; }
    /// <summary>Why the endpoint broke off a stream already under way; null when it did not.</summary>
    public string? Cut { get; private set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        // the caller's key is for this server; the endpoint gets its own (or none)
        proxyRequest.Headers.Authorization = replica.Spec.ApiKey is { Length: > 0 } key ? new AuthenticationHeaderValue("Bearer", key) : null;
        var path = httpContext.Request.Path;
        string rest = path.StartsWithSegments("/v1", out var after) ? after.Value ?? "" : path.Value ?? "";
        proxyRequest.RequestUri = new Uri(destinationPrefix + rest + httpContext.Request.QueryString.Value);
        proxyRequest.Headers.Host = null;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse != null && holdBackFailures && (int)proxyResponse.StatusCode >= 500)
        {
            HeldBack = (int)proxyResponse.StatusCode;
            return false; // nothing copied: the response is still ours to fill from another replica
        }
        bool copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        httpContext.Response.Headers[ReplicaHeader] = replica.Name; // which replica answered (set again by a retry)
        if (proxyResponse?.Content.Headers.ContentType?.MediaType == "text/event-stream")
            proxyResponse.Content = new SseGuardContent(proxyResponse.Content, why => Cut = why, replica.Name);
        return copy;
    }
}
