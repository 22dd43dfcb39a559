// The votes file: round trip, defaults, the winner's spellings, and an error naming file:line for every bad line.
using Weft.Evaluation.Arena;

namespace Weft.Evaluation.Tests.Arena;

public sealed class ArenaVotesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-arena-votes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IReadOnlyList<ArenaBattle> ReadText(string text) => ArenaVotes.Read(new StringReader(text), "votes.jsonl");

    private static readonly ArenaBattle Full = new("v1", "llama-3-8b", "qwen2-7b", ArenaWinner.BothBad, "Écris un \"poème\"\nsur la mer 🌊",
        new AnswerStyle(120, 2, 5, 3), new AnswerStyle(80, 0, 0, 1), new DateTimeOffset(2026, 12, 6, 23, 59, 58, 250, TimeSpan.FromHours(-5)));

    [Fact]
    public void Battles_round_trip_through_a_file()
    {
        var bare = new ArenaBattle("v2", "a", "b", ArenaWinner.Tie, "", null, null, DateTimeOffset.UnixEpoch);
        string path = Path.Combine(_dir, "sub", "votes.jsonl");
        ArenaVotes.Write(path, [Full, bare]);
        var back = ArenaVotes.Read(path);
        Assert.Equal([Full, bare], back);
        Assert.Equal(Full.Time.Offset, back[0].Time.Offset);
        Assert.Equal(2, File.ReadAllLines(path).Length);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "sub"), "*.tmp"));
    }

    [Fact]
    public void A_line_has_the_documented_field_names()
    {
        string line = ArenaVotes.Line(Full);
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("""{"id":"v1","model_a":"llama-3-8b","model_b":"qwen2-7b","winner":"both_bad","prompt":""", line);
        Assert.EndsWith("\"time\":\"2026-12-06T23:59:58.2500000-05:00\",\"style_a\":{\"tokens\":120,\"headers\":2,\"list_items\":5,\"bold\":3},\"style_b\":{\"tokens\":80,\"headers\":0,\"list_items\":0,\"bold\":1}}", line);
        Assert.DoesNotContain("style_a", ArenaVotes.Line(Full with { StyleA = null }));
    }

    [Theory]
    [InlineData("a", ArenaWinner.A)]
    [InlineData("b", ArenaWinner.B)]
    [InlineData("tie", ArenaWinner.Tie)]
    [InlineData("both_bad", ArenaWinner.BothBad)]
    [InlineData("model_a", ArenaWinner.A)]
    [InlineData("model_b", ArenaWinner.B)]
    [InlineData("tie (bothbad)", ArenaWinner.BothBad)]
    [InlineData("TIE", ArenaWinner.Tie)]
    public void Winners_parse_in_ours_and_chatbot_arenas_spelling(string text, ArenaWinner expected)
    {
        Assert.True(ArenaWinners.TryParse(text, out var w));
        Assert.Equal(expected, w);
        if (!text.Contains('_') && !text.Contains(' ') && text == text.ToLowerInvariant()) Assert.Equal(text, ArenaWinners.ToJson(w));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("c")]
    [InlineData("draw")]
    public void Other_winners_do_not_parse(string? text) => Assert.False(ArenaWinners.TryParse(text, out _));

    [Fact]
    public void Only_the_models_and_the_winner_are_required()
    {
        const string line = """{"model_a":"x","model_b":"y","winner":"a","extra":[1,2]}""";
        var b = Assert.Single(ReadText("\n" + line + "\n\n"));
        Assert.Equal(("x", "y", ArenaWinner.A, "", DateTimeOffset.UnixEpoch), (b.ModelA, b.ModelB, b.Winner, b.Prompt, b.Time));
        Assert.Null(b.StyleA);
        Assert.Null(b.StyleB);
        Assert.Matches("^[0-9a-f]{16}$", b.Id);
        // the same line gives the same id; another line another
        Assert.Equal(b.Id, ReadText(line)[0].Id);
        Assert.NotEqual(b.Id, ReadText(line.Replace("\"winner\":\"a\"", "\"winner\":\"b\"", StringComparison.Ordinal))[0].Id);
        Assert.Null(ReadText("""{"model_a":"x","model_b":"y","winner":"a","style_a":null,"time":null}""")[0].StyleA);
    }

    [Fact]
    public void A_time_without_an_offset_is_utc()
    {
        var b = ReadText("""{"model_a":"x","model_b":"y","winner":"b","time":"2026-01-02T03:04:05"}""")[0];
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), b.Time);
    }

    [Theory]
    [InlineData("{\"model_a\":\"x\",\"model_b\":\"y\",\"winner\":\"a\"", "not valid JSON")]
    [InlineData("""[1,2]""", "expected a JSON object")]
    [InlineData("""{"model_b":"y","winner":"a"}""", "\"model_a\" is missing")]
    [InlineData("""{"model_a":"x","winner":"a"}""", "\"model_b\" is missing")]
    [InlineData("""{"model_a":"","model_b":"y","winner":"a"}""", "\"model_a\" is missing or empty")]
    [InlineData("""{"model_a":"x","model_b":"y"}""", "\"winner\" is missing")]
    [InlineData("""{"model_a":"x","model_b":"y","winner":"c"}""", "\"winner\" is 'c'")]
    [InlineData("""{"model_a":"x","model_b":"y","winner":1}""", "\"winner\" must be a string")]
    [InlineData("""{"model_a":5,"model_b":"y","winner":"a"}""", "\"model_a\" must be a string")]
    [InlineData("""{"model_a":"x\ud800","model_b":"y","winner":"a"}""", "\"model_a\" is not valid Unicode text")]
    [InlineData("""{"model_a":"x","model_b":"y","winner":"a","prompt":"\udc00"}""", "\"prompt\" is not valid Unicode text")]
    [InlineData("""{"model_a":"x","model_b":"x","winner":"a"}""", "a battle needs two models")]
    [InlineData("""{"model_a":"x","model_b":"y","winner":"a","id":""}""", "\"id\" is empty")]
    [InlineData("""{"model_a":"x","model_b":"y","winner":"a","time":"yesterday"}""", "not an ISO 8601 time")]
    [InlineData("""{"model_a":"x","model_b":"y","winner":"a","style_a":[1]}""", "\"style_a\" must be an object")]
    [InlineData("""{"model_a":"x","model_b":"y","winner":"a","style_b":{"tokens":1,"headers":0,"bold":0}}""", "\"style_b\" lacks \"list_items\"")]
    [InlineData("""{"model_a":"x","model_b":"y","winner":"a","style_a":{"tokens":-1,"headers":0,"list_items":0,"bold":0}}""", "\"style_a.tokens\" must be a non-negative integer")]
    [InlineData("""{"model_a":"x","model_b":"y","winner":"a","style_a":{"tokens":1.5,"headers":0,"list_items":0,"bold":0}}""", "\"style_a.tokens\" must be a non-negative integer")]
    public void A_bad_line_is_named_by_file_and_line(string bad, string mentions)
    {
        const string good = """{"model_a":"x","model_b":"y","winner":"a"}""";
        var e = Assert.Throws<ArenaVotesException>(() => ReadText(good + "\n\n" + bad + "\n" + good));
        Assert.StartsWith("votes.jsonl:3: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(mentions, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        string path = Path.Combine(_dir, "none.jsonl");
        var e = Assert.Throws<ArenaVotesException>(() => ArenaVotes.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_file_error_names_the_path_and_line()
    {
        string path = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllText(path, """{"model_a":"x","model_b":"y","winner":"a"}""" + "\n{oops\n");
        var e = Assert.Throws<ArenaVotesException>(() => ArenaVotes.Read(path));
        Assert.StartsWith(path + ":2: ", e.Message, StringComparison.Ordinal);
    }
}
