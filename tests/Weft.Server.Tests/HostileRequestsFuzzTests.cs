// Seeded hostile requests against a live server: valid requests of every endpoint group, mutated (wrong types, huge
// and negative numbers, lone surrogate escapes, invalid UTF-8, deep nesting, truncation, junk), plus random paths.
// Every answer must be a 4xx in the endpoint's error shape or a success: no 5xx, no dropped connection, and /health
// still answers after. A fresh seed each run (WEFT_SERVER_FUZZ_SEED repeats one); failures print it.
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Weft.Server.Tests;

public sealed class HostileRequestsFuzzTests
{
    private const int Requests = 2000;

    private static readonly int RunSeed =
        int.TryParse(Environment.GetEnvironmentVariable("WEFT_SERVER_FUZZ_SEED"), out int s) ? s : Random.Shared.Next();

    /// <summary>A valid request per endpoint (generation kept to a token or two).</summary>
    private static readonly (string Method, string Path, string Body)[] Seeds =
    [
        ("POST", "/v1/chat/completions", """{"model":"chat","messages":[{"role":"user","content":"hi"}],"max_tokens":2,"temperature":0}"""),
        ("POST", "/v1/chat/completions", """{"model":"chat","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":1,"stream":true,"logprobs":true,"top_logprobs":2}"""),
        ("POST", "/v1/completions", """{"model":"chat","prompt":"Hello","max_tokens":2,"temperature":0,"seed":3,"stop":["x"]}"""),
        ("POST", "/v1/completions", """{"model":"chat","prompt":[[1,2,3],[4,5]],"max_tokens":0,"echo":true,"logprobs":1}"""),
        ("POST", "/v1/embeddings", """{"model":"chat","input":["a","b"]}"""),
        ("POST", "/v1/responses", """{"model":"chat","instructions":"be brief","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]}],"max_output_tokens":2,"temperature":0,"stream":true}"""),
        ("POST", "/v1/completions", """{"model":"chat","prompt":"Hi","max_tokens":1,"logit_bias":{"5":-100,"9":false}}"""),
        ("POST", "/tokenize", """{"model":"chat","content":"hello world","add_special":true}"""),
        ("POST", "/detokenize", """{"model":"chat","tokens":[1,2,3]}"""),
        ("POST", "/api/chat", """{"model":"chat","messages":[{"role":"user","content":"hi"}],"stream":false,"options":{"num_predict":2,"temperature":0}}"""),
        ("POST", "/api/generate", """{"model":"chat","prompt":"hi","raw":true,"stream":true,"options":{"num_predict":1}}"""),
        ("POST", "/api/embed", """{"model":"chat","input":"hello"}"""),
        ("POST", "/api/show", """{"model":"chat"}"""),
        ("POST", "/api/arena/battles", """{"prompt":"hi","models":["chat","slow"],"max_tokens":1}"""),
        ("POST", "/api/arena/battles/battle-x/vote", """{"winner":"a"}"""),
        ("POST", "/api/evals", """{"model":"chat","tasks":["no-such-task"],"limit":1}"""),
        ("POST", "/api/conversations", """{"title":"t","model":"chat","system_prompt":"s"}"""),
        ("POST", "/api/assistants", """{"name":"n","system_prompt":"s","temperature":0.5}"""),
        ("POST", "/api/pulls", """{"spec":"hf://owner/repo/file.gguf"}"""),
        ("POST", "/api/arena/votes", """{"model_a":"x","model_b":"y","winner":"a"}"""),
        ("GET", "/v1/models", ""),
        ("GET", "/api/catalog?task=medical&max_params=8", ""),
        ("GET", "/api/leaderboard?task=hellaswag", ""),
        ("GET", "/api/arena/leaderboard?style_control=true", ""),
        ("GET", "/api/tags", ""),
    ];

    private static readonly string[] Hostile =
    [
        "\"LONE-HIGH\"", "\"aLONE-LOWb\"", "1e400", "-1e400", "-1", "0", "99999999999999999999999", "1.5", "true", "null", "[]", "{}",
        "\"\"", "\"chat\"", "\"broken-\\u0000-name\"", new string('[', 20) + "1" + new string(']', 20), "\"" + new string('x', 5000) + "\"",
        "{\"role\":\"tool\"}", "[{\"role\":\"user\"}]", "[1,2,3]", "-9223372036854775809", "\"NaN\"", "2147483648",
    ];

    [Fact]
    public async Task HostileRequestsGetClearErrorsAndTheServerStaysUp()
    {
        await using var server = await LiveServer.StartAsync(o => o with { QueueLimit = 256 });
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var rng = new Random(RunSeed);
        var plan = Enumerable.Range(0, Requests).Select(_ => Make(rng)).ToList();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        int ok = 0, refused = 0;
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (r, ct) =>
        {
            try
            {
                using var req = new HttpRequestMessage(new HttpMethod(r.Method), r.Path);
                if (r.Body != null) req.Content = new ByteArrayContent(r.Body) { Headers = { ContentType = new("application/json") } };
                using var res = await http.SendAsync(req, ct);
                string text = await res.Content.ReadAsStringAsync(ct);
                int status = (int)res.StatusCode;
                if (status >= 500) failures.Add($"{status} {r.Method} {r.Path} {Show(r.Body)} → {Cut(text)}");
                else if (status >= 400) Interlocked.Increment(ref refused);
                else Interlocked.Increment(ref ok);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                failures.Add($"dropped: {r.Method} {r.Path} {Show(r.Body)}: {e.GetType().Name} {e.Message}");
            }
        });
        Assert.True(failures.IsEmpty, $"WEFT_SERVER_FUZZ_SEED={RunSeed}: {failures.Count} of {Requests} failed ({ok} ok, {refused} refused):\n" + string.Join("\n", failures.Take(20)));
        Assert.True(refused > Requests / 4, $"WEFT_SERVER_FUZZ_SEED={RunSeed}: only {refused} of {Requests} were refused: the mutations are too mild to test anything");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
    }

    private sealed record Plan(string Method, string Path, byte[]? Body);

    private static Plan Make(Random rng)
    {
        var (method, path, body) = Seeds[rng.Next(Seeds.Length)];
        int kind = rng.Next(10);
        if (method == "GET" || kind == 0)
            return new Plan(rng.Next(4) == 0 ? "GET" : method, kind == 0 ? RandomPath(rng, path) : path, method == "GET" ? null : Encoding.UTF8.GetBytes(body));
        return kind switch
        {
            1 => new Plan(method, path, Encoding.UTF8.GetBytes(body[..rng.Next(body.Length)])), // truncated
            2 => new Plan(method, path, InvalidUtf8(rng, body)),
            3 => new Plan(method, path, Encoding.UTF8.GetBytes(Deep(rng.Next(50, 400)))),
            4 => new Plan(method, path, RandomBytes(rng)),
            _ => new Plan(method, path, Encoding.UTF8.GetBytes(Mutate(rng, body))),
        };
    }

    /// <summary>The seed request with one to three values (or names) replaced by hostile ones.</summary>
    private static string Mutate(Random rng, string body)
    {
        var root = JsonNode.Parse(body)!;
        for (int n = rng.Next(1, 4); n > 0; n--)
        {
            var (parent, key, index) = Pick(rng, root);
            var value = JsonNode.Parse(Hostile[rng.Next(Hostile.Length)]);
            if (parent is JsonObject o && key != null)
            {
                if (rng.Next(5) == 0) { o.Remove(key); continue; }
                if (value is JsonValue v && v.ToJsonString() == "\"chat\"" && key == "model") continue;
                o[key] = value;
            }
            else if (parent is JsonArray a && index >= 0) a[index] = value;
        }
        // lone surrogate escapes cannot live in a JsonNode: markers stand for them until the text is written
        string text = root.ToJsonString().Replace("LONE-HIGH", "\\ud800", StringComparison.Ordinal).Replace("LONE-LOW", "\\udc00", StringComparison.Ordinal);
        return rng.Next(4) == 0 ? text.Replace("\"hi\"", "\"h\\ud83d\"", StringComparison.Ordinal) : text;
    }

    private static (JsonNode? Parent, string? Key, int Index) Pick(Random rng, JsonNode root)
    {
        var spots = new List<(JsonNode, string?, int)>();
        void Walk(JsonNode node)
        {
            if (node is JsonObject o) foreach (var (k, v) in o.ToList()) { spots.Add((o, k, -1)); if (v != null) Walk(v); }
            else if (node is JsonArray a) for (int i = 0; i < a.Count; i++) { spots.Add((a, null, i)); if (a[i] is { } c) Walk(c); }
        }
        Walk(root);
        return spots.Count == 0 ? (null, null, -1) : spots[rng.Next(spots.Count)];
    }

    private static byte[] InvalidUtf8(Random rng, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body).ToList();
        byte[][] bad = [[0xC3], [0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0x80]];
        int at = body.IndexOf("\"hi\"", StringComparison.Ordinal) is int i and >= 0 ? i + 2 : rng.Next(bytes.Count);
        bytes.InsertRange(at, bad[rng.Next(bad.Length)]);
        return [.. bytes];
    }

    private static string Deep(int depth) => string.Concat(Enumerable.Repeat("{\"a\":[", depth)) + "1" + string.Concat(Enumerable.Repeat("]}", depth));

    private static byte[] RandomBytes(Random rng)
    {
        var b = new byte[rng.Next(0, 300)];
        rng.NextBytes(b);
        return b;
    }

    private static string RandomPath(Random rng, string path)
    {
        string[] junk = ["/v1/nope", "/api/nope/deeper", "/v1/models/%00", "/v1/models/../../etc/passwd", "/api/arena/battles/%ff/vote",
            "/api/evals/" + new string('9', 300), "/api/catalog/%E2%82", "/ui/../../secret", "/api/pulls/x", "/v1//models"];
        return rng.Next(2) == 0 ? junk[rng.Next(junk.Length)] : path + (rng.Next(2) == 0 ? "/extra" : "?x=%zz");
    }

    private static string Show(byte[]? body) => body == null ? "" : Cut(Encoding.UTF8.GetString(body));

    private static string Cut(string s) => s.Length > 200 ? s[..200] + "…" : s;
}
