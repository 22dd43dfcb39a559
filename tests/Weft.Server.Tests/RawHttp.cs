// Small helpers for raw HTTP calls and OpenAI error bodies.
using System.Net;
using System.Text;
using System.Text.Json;

namespace Weft.Server.Tests;

internal static class RawHttp
{
    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(HttpClient http, string path, string body, string? auth = null)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (auth != null) req.Headers.TryAddWithoutValidation("Authorization", auth);
        var res = await http.SendAsync(req);
        string text = await res.Content.ReadAsStringAsync();
        return (res.StatusCode, text.Length > 0 && text[0] == '{' ? JsonDocument.Parse(text).RootElement : default, res);
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient http, string path, string? auth = null)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, path);
        if (auth != null) req.Headers.TryAddWithoutValidation("Authorization", auth);
        var res = await http.SendAsync(req);
        string text = await res.Content.ReadAsStringAsync();
        return (res.StatusCode, text.Length > 0 && text[0] == '{' ? JsonDocument.Parse(text).RootElement : default);
    }

    /// <summary>Asserts OpenAI's error shape and returns the error object.</summary>
    public static JsonElement AssertError(JsonElement body, string messagePart)
    {
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        var e = body.GetProperty("error");
        Assert.Equal(JsonValueKind.String, e.GetProperty("message").ValueKind);
        Assert.Equal(JsonValueKind.String, e.GetProperty("type").ValueKind);
        Assert.True(e.TryGetProperty("param", out _));
        Assert.True(e.TryGetProperty("code", out _));
        Assert.Contains(messagePart, e.GetProperty("message").GetString()!, StringComparison.Ordinal);
        return e;
    }
}
