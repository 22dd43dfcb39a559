// CORS is off unless `--cors ORIGIN` names an origin: then that origin's pages may call the API from a browser
// (preflights answered without the API key), and other origins still get no CORS headers.
using System.Net;

namespace Weft.Server.Tests;

public sealed class CorsTests
{
    private static HttpRequestMessage Preflight(string origin) => new(HttpMethod.Options, "/v1/chat/completions")
    {
        Headers = { { "Origin", origin }, { "Access-Control-Request-Method", "POST" }, { "Access-Control-Request-Headers", "authorization,content-type" } },
    };

    private static string? AllowedOrigin(HttpResponseMessage r) =>
        r.Headers.TryGetValues("Access-Control-Allow-Origin", out var v) ? v.Single() : null;

    [Fact]
    public async Task A_named_origin_may_call_the_api_and_others_may_not()
    {
        await using var server = await LiveServer.StartAsync(o => o with { CorsOrigins = ["http://app.example"], ApiKey = "secret" });
        using var preflight = await server.Http.SendAsync(Preflight("http://app.example"));
        Assert.True(preflight.IsSuccessStatusCode, $"{(int)preflight.StatusCode}");
        Assert.Equal("http://app.example", AllowedOrigin(preflight));

        using var get = new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "Origin", "http://app.example" }, { "Authorization", "Bearer secret" } } };
        using var answer = await server.Http.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("http://app.example", AllowedOrigin(answer));

        using var other = await server.Http.SendAsync(Preflight("http://evil.example"));
        Assert.Null(AllowedOrigin(other));
    }

    [Fact]
    public async Task Without_cors_no_origin_is_allowed()
    {
        await using var server = await LiveServer.StartAsync();
        using var get = new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "Origin", "http://app.example" } } };
        using var answer = await server.Http.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Null(AllowedOrigin(answer));
        using var preflight = await server.Http.SendAsync(Preflight("http://app.example"));
        Assert.Null(AllowedOrigin(preflight));
    }
}
