// GET /health (503 while a model loads) and GET /metrics (Prometheus text).
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", async (HttpContext http, ModelPool pool) =>
        {
            bool loading = pool.LoadingCount > 0;
            if (loading) http.Response.Headers.RetryAfter = "1";
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteString("status", loading ? "loading model" : "ok");
                w.WriteEndObject();
            }, loading ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        });
        app.MapGet("/metrics", (ModelPool pool, ServerMetrics metrics, Remote.RemoteEndpoints remote) =>
            Results.Text(metrics.Render(pool, remote), "text/plain; version=0.0.4"));
        return app;
    }
}
