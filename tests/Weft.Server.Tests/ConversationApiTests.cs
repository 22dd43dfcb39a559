// The chat page's /api: conversations, messages and assistants through HTTP, their errors, and the database across restarts.
using System.Net;
using System.Text;
using System.Text.Json;
using Weft.Server.Storage;

namespace Weft.Server.Tests;

public class ConversationApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    [Fact]
    public async Task ConversationLivesThroughCreateAppendRenameAndDelete()
    {
        var (status, created) = await Call(Http, "POST", "/api/conversations", """{"title":"  Rivers of Europe ","model":"chat","system_prompt":"Be brief."}""");
        Assert.Equal(HttpStatusCode.Created, status);
        string id = created.GetProperty("id").GetString()!;
        Assert.Equal("Rivers of Europe", created.GetProperty("title").GetString());
        Assert.Equal("chat", created.GetProperty("model").GetString());
        Assert.Equal("Be brief.", created.GetProperty("system_prompt").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("assistant_id").ValueKind);
        Assert.Empty(created.GetProperty("messages").EnumerateArray());

        var (one, added) = await Call(Http, "POST", $"/api/conversations/{id}/messages", """{"role":"user","content":"Name a river."}""");
        Assert.Equal(HttpStatusCode.Created, one);
        Assert.Single(added.GetProperty("data").EnumerateArray());
        var (two, _) = await Call(Http, "POST", $"/api/conversations/{id}/messages",
            """{"messages":[{"role":"assistant","content":"The **Danube**.","tokens_per_second":41.5},{"role":"user","content":"Another?"}]}""");
        Assert.Equal(HttpStatusCode.Created, two);

        var (_, read) = await Call(Http, "GET", $"/api/conversations/{id}");
        var messages = read.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(["Name a river.", "The **Danube**.", "Another?"], messages.Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(41.5, messages[1].GetProperty("tokens_per_second").GetDouble());
        Assert.Equal(JsonValueKind.Null, messages[0].GetProperty("tokens_per_second").ValueKind);
        Assert.True(read.GetProperty("updated").GetInt64() > created.GetProperty("updated").GetInt64(), "appending touches the conversation");

        var (renamed, patched) = await Call(Http, "PATCH", $"/api/conversations/{id}", """{"title":"Danube talk"}""");
        Assert.Equal(HttpStatusCode.OK, renamed);
        Assert.Equal("Danube talk", patched.GetProperty("title").GetString());
        Assert.Equal("Be brief.", patched.GetProperty("system_prompt").GetString()); // untouched fields stay
        var (_, list) = await Call(Http, "GET", "/api/conversations");
        Assert.Equal(id, list.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal("Danube talk", list.GetProperty("data")[0].GetProperty("title").GetString());

        var (deleted, gone) = await Call(Http, "DELETE", $"/api/conversations/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.True(gone.GetProperty("deleted").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await Call(Http, "GET", $"/api/conversations/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Call(Http, "DELETE", $"/api/conversations/{id}")).Status);
    }

    [Fact]
    public async Task ListIsMostRecentlyUpdatedFirstAndSearchMatchesTitlesAndMessages()
    {
        string tag = Guid.NewGuid().ToString("N")[..8];
        string first = await NewConversation(Http, $"{tag} first");
        string second = await NewConversation(Http, $"{tag} second");
        string other = await NewConversation(Http, "unrelated");
        await Call(Http, "POST", $"/api/conversations/{other}/messages", $$"""{"role":"user","content":"a note about {{tag}}-zebras"}""");
        await Call(Http, "POST", $"/api/conversations/{first}/messages", """{"role":"user","content":"bump"}""");

        var (_, all) = await Call(Http, "GET", "/api/conversations");
        var order = Ids(all);
        Assert.True(order.IndexOf(first) < order.IndexOf(other) && order.IndexOf(other) < order.IndexOf(second), "most recently updated first");

        Assert.Equal([first, other, second], Ids((await Call(Http, "GET", $"/api/conversations?q={tag}")).Body));
        Assert.Equal([other], Ids((await Call(Http, "GET", $"/api/conversations?q={tag.ToUpperInvariant()}-ZEBRA")).Body));
        Assert.Equal([second], Ids((await Call(Http, "GET", $"/api/conversations?q={tag}%20sec&limit=5")).Body));
        // LIKE's wildcards are plain characters in a search
        Assert.Empty(Ids((await Call(Http, "GET", "/api/conversations?q=%25%25")).Body));
        Assert.Empty(Ids((await Call(Http, "GET", "/api/conversations?q=_")).Body));
    }

    [Fact]
    public async Task AssistantsAreCreatedChangedAndDeletedAndConversationsKeepTheirSettings()
    {
        var (status, created) = await Call(Http, "POST", "/api/assistants",
            """{"name":"Poet","system_prompt":"Answer in verse.","model":"chat","temperature":1.1,"top_p":0.9,"max_tokens":64}""");
        Assert.Equal(HttpStatusCode.Created, status);
        string id = created.GetProperty("id").GetString()!;
        Assert.Equal(1.1, created.GetProperty("temperature").GetDouble());
        Assert.Equal(64, created.GetProperty("max_tokens").GetInt32());

        var (_, patched) = await Call(Http, "PATCH", $"/api/assistants/{id}", """{"name":"Bard","temperature":null}""");
        Assert.Equal("Bard", patched.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, patched.GetProperty("temperature").ValueKind);
        Assert.Equal(0.9, patched.GetProperty("top_p").GetDouble());
        Assert.Equal("Answer in verse.", patched.GetProperty("system_prompt").GetString());
        var (_, one) = await Call(Http, "GET", $"/api/assistants/{id}");
        Assert.Equal("Bard", one.GetProperty("name").GetString());
        Assert.Contains(id, Ids((await Call(Http, "GET", "/api/assistants")).Body));

        var (_, conversation) = await Call(Http, "POST", "/api/conversations", $$"""{"assistant_id":"{{id}}","system_prompt":"Answer in verse."}""");
        string conversationId = conversation.GetProperty("id").GetString()!;
        Assert.Equal(id, conversation.GetProperty("assistant_id").GetString());
        Assert.Equal("New chat", conversation.GetProperty("title").GetString());

        Assert.Equal(HttpStatusCode.OK, (await Call(Http, "DELETE", $"/api/assistants/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Call(Http, "GET", $"/api/assistants/{id}")).Status);
        var (_, orphan) = await Call(Http, "GET", $"/api/conversations/{conversationId}");
        Assert.Equal(JsonValueKind.Null, orphan.GetProperty("assistant_id").ValueKind);
        Assert.Equal("Answer in verse.", orphan.GetProperty("system_prompt").GetString());
    }

    [Theory]
    [InlineData("POST", "/api/conversations", "{\"title\":", "not valid JSON", null)]
    [InlineData("POST", "/api/conversations", "[1]", "must be a JSON object", null)]
    [InlineData("POST", "/api/conversations", "{\"title\":\"  \"}", "'title' must not be empty", "title")]
    [InlineData("POST", "/api/conversations", "{\"title\":5}", "'title' must be a string", "title")]
    [InlineData("POST", "/api/conversations", "{\"model\":[\"chat\"]}", "'model' must be a string", "model")]
    [InlineData("POST", "/api/conversations", "{\"assistant_id\":\"asst-nope\"}", "'assistant_id' names 'asst-nope'", "assistant_id")]
    [InlineData("POST", "/api/assistants", "{\"system_prompt\":\"x\"}", "'name' is required", "name")]
    [InlineData("POST", "/api/assistants", "{\"name\":\"a\",\"temperature\":5}", "'temperature' must be between 0 and 2", "temperature")]
    [InlineData("POST", "/api/assistants", "{\"name\":\"a\",\"max_tokens\":0}", "'max_tokens' must be between 1", "max_tokens")]
    [InlineData("POST", "/api/assistants", "{\"name\":\"a\",\"top_p\":\"high\"}", "'top_p' must be a number", "top_p")]
    public async Task BadBodiesAre400InTheErrorShape(string method, string path, string body, string message, string? param)
    {
        var (status, json) = await Call(Http, method, path, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var e = RawHttp.AssertError(json, message);
        if (param != null) Assert.Equal(param, e.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("{\"content\":\"hi\"}", "'role' is required", "role")]
    [InlineData("{\"role\":\"wizard\",\"content\":\"hi\"}", "'role' is 'wizard'", "role")]
    [InlineData("{\"role\":\"user\"}", "'content' is required", "content")]
    [InlineData("{\"role\":\"assistant\",\"content\":\"x\",\"tokens_per_second\":\"fast\"}", "'tokens_per_second' must be a number", "tokens_per_second")]
    [InlineData("{\"messages\":[]}", "'messages' must not be empty", "messages")]
    [InlineData("{\"messages\":{}}", "'messages' must be an array", "messages")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"ok\"},{\"role\":\"robot\",\"content\":\"no\"}]}", "'messages[1].role' is 'robot'", "messages[1].role")]
    public async Task BadMessagesAre400AndNothingIsWritten(string body, string message, string param)
    {
        string id = await NewConversation(Http, "bad messages");
        var (status, json) = await Call(Http, "POST", $"/api/conversations/{id}/messages", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, RawHttp.AssertError(json, message).GetProperty("param").GetString());
        var (_, read) = await Call(Http, "GET", $"/api/conversations/{id}");
        Assert.Empty(read.GetProperty("messages").EnumerateArray());
    }

    [Theory]
    [InlineData("GET", "/api/conversations/conv-0000", null, "the conversation 'conv-0000' does not exist")]
    [InlineData("PATCH", "/api/conversations/conv-0000", "{\"title\":\"x\"}", "the conversation 'conv-0000' does not exist")]
    [InlineData("DELETE", "/api/conversations/conv-0000", null, "the conversation 'conv-0000' does not exist")]
    [InlineData("POST", "/api/conversations/conv-0000/messages", "{\"role\":\"user\",\"content\":\"hi\"}", "the conversation 'conv-0000' does not exist")]
    [InlineData("GET", "/api/assistants/asst-0000", null, "the assistant 'asst-0000' does not exist")]
    [InlineData("PATCH", "/api/assistants/asst-0000", "{\"name\":\"x\"}", "the assistant 'asst-0000' does not exist")]
    [InlineData("DELETE", "/api/assistants/asst-0000", null, "the assistant 'asst-0000' does not exist")]
    [InlineData("GET", "/api/nothing-here", null, "no endpoint GET /api/nothing-here")]
    public async Task UnknownIdsAre404(string method, string path, string? body, string message)
    {
        var (status, json) = await Call(Http, method, path, body);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("not_found", RawHttp.AssertError(json, message).GetProperty("code").GetString());
    }

    [Fact]
    public async Task EverythingSurvivesARestartOnTheSameDatabase()
    {
        string data = Path.Combine(Path.GetTempPath(), "weft-data-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string conversation, assistant;
            await using (var server = await LiveServer.StartAsync(o => o with { DataDirectory = data }))
            {
                assistant = (await Call(server.Http, "POST", "/api/assistants", """{"name":"Keeper","max_tokens":32}""")).Body.GetProperty("id").GetString()!;
                conversation = (await Call(server.Http, "POST", "/api/conversations", $$"""{"title":"kept","model":"chat","assistant_id":"{{assistant}}"}""")).Body.GetProperty("id").GetString()!;
                await Call(server.Http, "POST", $"/api/conversations/{conversation}/messages",
                    """{"messages":[{"role":"user","content":"remember me"},{"role":"assistant","content":"I will.","tokens_per_second":12.5}]}""");
            }
            Assert.True(File.Exists(Path.Combine(data, ChatStore.FileName)));
            await using (var again = await LiveServer.StartAsync(o => o with { DataDirectory = data }))
            {
                var (status, read) = await Call(again.Http, "GET", $"/api/conversations/{conversation}");
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.Equal("kept", read.GetProperty("title").GetString());
                Assert.Equal(assistant, read.GetProperty("assistant_id").GetString());
                Assert.Equal(["remember me", "I will."], read.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()));
                Assert.Equal(12.5, read.GetProperty("messages")[1].GetProperty("tokens_per_second").GetDouble());
                Assert.Equal(32, (await Call(again.Http, "GET", $"/api/assistants/{assistant}")).Body.GetProperty("max_tokens").GetInt32());
                Assert.Equal([conversation], Ids((await Call(again.Http, "GET", "/api/conversations")).Body));
            }
        }
        finally
        {
            if (Directory.Exists(data)) Directory.Delete(data, true);
        }
    }

    [Fact]
    public void AFailedWriteLeavesNothingBehind()
    {
        string data = Path.Combine(Path.GetTempPath(), "weft-data-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var store = new ChatStore(data);
            var c = store.CreateConversation("atomic", null, "", null);
            // the second row breaks the table's role check after the first is written: the whole append rolls back
            Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() =>
                store.AppendMessages(c.Id, [new MessageDraft("user", "first", null), new MessageDraft("wizard", "second", null)]));
            Assert.Empty(store.Messages(c.Id));
            Assert.Equal(c.Updated, store.GetConversation(c.Id)!.Updated);
            Assert.NotNull(store.AppendMessages(c.Id, [new MessageDraft("user", "first", null)]));
            Assert.Single(store.Messages(c.Id));
        }
        finally
        {
            if (Directory.Exists(data)) Directory.Delete(data, true);
        }
    }

    [Fact]
    public async Task ApiKeyGuardsTheApiButNotThePage()
    {
        await using var server = await LiveServer.StartAsync(o => o with { ApiKey = "k3y" });
        var (none, body) = await Call(server.Http, "GET", "/api/conversations");
        Assert.Equal(HttpStatusCode.Unauthorized, none);
        RawHttp.AssertError(body, "needs an API key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Call(server.Http, "POST", "/api/assistants", "{\"name\":\"x\"}", "Bearer wrong")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Call(server.Http, "GET", "/api/conversations", auth: "Bearer k3y")).Status);
        using var page = await server.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task ThePageAndItsFilesAreServedFromTheAssembly()
    {
        using var page = await Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script type=\"module\" src=\"/ui/app.js\"></script>", html, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        foreach (var (file, type) in new[] { ("app.js", "text/javascript"), ("markdown.js", "text/javascript"), ("app.css", "text/css"), ("icon.svg", "image/svg+xml") })
        {
            using var res = await Http.GetAsync("/ui/" + file);
            Assert.Equal(HttpStatusCode.OK, res.StatusCode);
            Assert.Equal(type, res.Content.Headers.ContentType?.MediaType);
            Assert.True((await res.Content.ReadAsByteArrayAsync()).Length > 100, file);
            // a second look with the ETag costs no body
            using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/" + file);
            again.Headers.TryAddWithoutValidation("If-None-Match", res.Headers.ETag!.ToString());
            using var cached = await Http.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        }
        var (missing, json) = await Call(Http, "GET", "/ui/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        RawHttp.AssertError(json, "no file 'nothing.js'");
    }

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> Call(HttpClient http, string method, string path, string? body = null, string? auth = null)
    {
        using var req = new HttpRequestMessage(new HttpMethod(method), path);
        if (body != null) req.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (auth != null) req.Headers.TryAddWithoutValidation("Authorization", auth);
        using var res = await http.SendAsync(req);
        string text = await res.Content.ReadAsStringAsync();
        return (res.StatusCode, text.Length > 0 && text[0] == '{' ? JsonDocument.Parse(text).RootElement : default);
    }

    private static async Task<string> NewConversation(HttpClient http, string title)
    {
        var (status, body) = await Call(http, "POST", "/api/conversations", JsonSerializer.Serialize(new Dictionary<string, string> { ["title"] = title }));
        Assert.Equal(HttpStatusCode.Created, status);
        return body.GetProperty("id").GetString()!;
    }

    private static List<string> Ids(JsonElement list) =>
        list.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
}
