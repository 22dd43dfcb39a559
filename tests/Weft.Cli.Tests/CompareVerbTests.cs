// `weft compare`: every column is the answer `weft run` (or `weft chat`) gives alone — greedy, seeded, with adapters —
// the JSON and block outputs have their shape, and wrong model lists are user errors.
using System.Globalization;
using System.Text.Json;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Cli.Tests;

public sealed class CompareVerbTests : IDisposable
{
    private static readonly SyntheticModelSpec SpecA = new() { Name = "compare-a", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 128, Seed = 91 };
    private const string Prompt = "the quick brown fox";
    private const int N = 16;
    private static readonly string Count = N.ToString(CultureInfo.InvariantCulture);
    private readonly string _a = TinyModels.Write(SpecA);
    private readonly string _b = TinyModels.Write(SpecA with { Name = "compare-b", Seed = 92 });
    private readonly List<string> _adapters = [];

    public void Dispose()
    {
        foreach (string a in _adapters) File.Delete(a);
    }

    private static JsonElement[] Columns(params string[] args)
    {
        var r = WeftProcess.Run(["compare", .. args, "--json", "-t", "1"]);
        Assert.True(r.Exit == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        return [.. doc.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.Clone())];
    }

    private static string Text(JsonElement column) => column.GetProperty("text").GetString()!;

    /// <summary>What `weft run` prints for the prompt as plain text: the answer and a newline.</summary>
    private static string Run(string model, params string[] extra)
    {
        var r = WeftProcess.Run(["run", model, "--prompt", Prompt, "-n", Count, "-t", "1", .. extra]);
        Assert.True(r.Exit == 0, r.Stderr);
        return r.Stdout;
    }

    [Fact]
    public void Greedy_raw_columns_of_different_models_equal_their_own_run()
    {
        var columns = Columns(_a, _b, "--prompt", Prompt, "--raw", "--temp", "0", "-n", Count);
        Assert.Equal(2, columns.Length);
        Assert.Equal(Run(_a, "--temp", "0"), Text(columns[0]) + "\n");
        Assert.Equal(Run(_b, "--temp", "0"), Text(columns[1]) + "\n");
        Assert.NotEqual(Text(columns[0]), Text(columns[1]));
        Assert.False(string.IsNullOrEmpty(Text(columns[0])), "the first model answered nothing: the comparison says nothing");
    }

    [Fact]
    public void Greedy_columns_of_one_model_are_identical_and_equal_run()
    {
        var columns = Columns(_a, _a, _a, "--prompt", Prompt, "--raw", "--temp", "0", "-n", Count);
        Assert.Equal(3, columns.Length);
        string alone = Run(_a, "--temp", "0");
        foreach (var c in columns) Assert.Equal(alone, Text(c) + "\n");
    }

    [Fact]
    public void Sampled_columns_of_one_model_use_seed_plus_column_index()
    {
        string[] sampling = ["--temp", "1.5", "--top-k", "0", "--top-p", "1", "--min-p", "0"];
        var columns = Columns([_a, _a, "--prompt", Prompt, "--raw", "-n", Count, "--seed", "42", .. sampling]);
        Assert.Equal(42UL, columns[0].GetProperty("seed").GetUInt64());
        Assert.Equal(43UL, columns[1].GetProperty("seed").GetUInt64());
        Assert.Equal(Run(_a, [.. sampling, "--seed", "42"]), Text(columns[0]) + "\n");
        Assert.Equal(Run(_a, [.. sampling, "--seed", "43"]), Text(columns[1]) + "\n");
        Assert.NotEqual(Text(columns[0]), Text(columns[1]));
    }

    [Fact]
    public void The_prompt_goes_through_the_chat_template_as_weft_chat_sends_it()
    {
        var templated = Columns(_a, _b, "--prompt", Prompt, "--system", "Be brief.", "--temp", "0", "-n", "8");
        var raw = Columns(_a, _b, "--prompt", Prompt, "--raw", "--temp", "0", "-n", "8");
        for (int i = 0; i < 2; i++)
        {
            string model = i == 0 ? _a : _b;
            var chat = WeftProcess.RunWithInput(Prompt + "\n", "chat", model, "--system", "Be brief.", "--temp", "0", "-n", "8", "-t", "1");
            Assert.True(chat.Exit == 0, chat.Stderr);
            Assert.Equal(chat.Stdout, Text(templated[i]) + "\n");
            Assert.True(templated[i].GetProperty("prompt_tokens").GetInt32() > raw[i].GetProperty("prompt_tokens").GetInt32(),
                "the templated prompt is no longer than the raw one");
        }
    }

    [Fact]
    public void Json_has_the_prompt_and_every_column_with_its_figures()
    {
        var r = WeftProcess.Run("compare", _a, _b, "--prompt", Prompt, "--raw", "--temp", "0", "-n", Count, "--json", "-t", "1");
        Assert.True(r.Exit == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(Prompt, root.GetProperty("prompt").GetString());
        var columns = root.GetProperty("columns").EnumerateArray().ToArray();
        Assert.Equal(2, columns.Length);
        string[] finishes = ["length", "end_of_generation", "stop_string", "context_full", "cancelled"];
        for (int i = 0; i < 2; i++)
        {
            var c = columns[i];
            Assert.Equal(i == 0 ? _a : _b, c.GetProperty("model").GetString());
            Assert.Equal(JsonValueKind.String, c.GetProperty("text").ValueKind);
            int tokens = c.GetProperty("tokens").GetInt32();
            string finish = c.GetProperty("finish_reason").GetString()!;
            Assert.Contains(finish, finishes);
            Assert.True(finish == "length" ? tokens == N : tokens < N, $"{tokens} tokens and finish {finish}");
            Assert.True(c.GetProperty("prompt_tokens").GetInt32() > 0);
            if (tokens > 0)
            {
                Assert.True(c.GetProperty("ttft_ms").GetDouble() > 0);
                Assert.True(c.GetProperty("tokens_per_s").GetDouble() > 0);
            }
            Assert.Equal(JsonValueKind.Null, c.GetProperty("seed").ValueKind); // greedy
        }
    }

    [Fact]
    public void Redirected_output_is_one_block_per_column_in_order()
    {
        var r = WeftProcess.Run("compare", _a, _b, "--prompt", Prompt, "--raw", "--temp", "0", "-n", Count, "-t", "1");
        Assert.True(r.Exit == 0, r.Stderr);
        string first = $"== [1] {Path.GetFileName(_a)} ==\n", second = $"== [2] {Path.GetFileName(_b)} ==\n";
        Assert.StartsWith(first + Run(_a, "--temp", "0"), r.Stdout, StringComparison.Ordinal);
        int at = r.Stdout.IndexOf(second, StringComparison.Ordinal);
        Assert.True(at > 0, r.Stdout);
        Assert.StartsWith(second + Run(_b, "--temp", "0"), r.Stdout[at..], StringComparison.Ordinal);
        Assert.Matches(@"\[\d+ tokens, first token \d+ ms, [\d.]+ tok/s, \d+ prompt tokens, stop: [a-z_]+\]", r.Stdout);
    }

    [Fact]
    public void Lora_applies_to_the_models_it_fits_only()
    {
        string wide = TinyModels.Write(SpecA with { Name = "compare-wide", Embedding = 96 });
        string adapter = RandomAdapters.Write(_a, RandomAdapters.AllProjections(_a), rank: 4, alpha: 8, seed: 5, bStd: 0.5f);
        _adapters.Add(adapter);
        var columns = Columns(_a, wide, "--prompt", Prompt, "--raw", "--temp", "0", "-n", Count, "--lora", adapter, "--lora-scale", "4");
        Assert.Equal(Run(_a, "--temp", "0", "--lora", adapter, "--lora-scale", "4"), Text(columns[0]) + "\n");
        Assert.NotEqual(Run(_a, "--temp", "0"), Text(columns[0]) + "\n");
        Assert.Equal(Run(wide, "--temp", "0"), Text(columns[1]) + "\n");
        Assert.Equal([adapter], columns[0].GetProperty("adapters").EnumerateArray().Select(a => a.GetString()));
        Assert.Empty(columns[1].GetProperty("adapters").EnumerateArray());

        var none = WeftProcess.Run("compare", wide, wide, "--prompt", Prompt, "--lora", adapter);
        WeftProcess.AssertUserError(none, "fits none");
    }

    [Fact]
    public void A_base_stands_beside_its_adapted_self()
    {
        string adapter = RandomAdapters.Write(_a, RandomAdapters.AllProjections(_a), rank: 4, alpha: 8, seed: 6, bStd: 0.5f);
        _adapters.Add(adapter);
        var columns = Columns(_a, $"{_a}+{adapter}@4", "--prompt", Prompt, "--raw", "--temp", "0", "-n", Count);
        Assert.Equal(Run(_a, "--temp", "0"), Text(columns[0]) + "\n");
        Assert.Equal(Run(_a, "--temp", "0", "--lora", adapter, "--lora-scale", "4"), Text(columns[1]) + "\n");
        Assert.NotEqual(Text(columns[0]), Text(columns[1]));
        Assert.Empty(columns[0].GetProperty("adapters").EnumerateArray());
        Assert.Equal([adapter], columns[1].GetProperty("adapters").EnumerateArray().Select(a => a.GetString()));

        WeftProcess.AssertUserError(WeftProcess.Run("compare", _a, $"{_a}+/no/such/adapter.gguf", "--prompt", Prompt), "the adapter '/no/such/adapter.gguf'");
        WeftProcess.AssertUserError(WeftProcess.Run("compare", _a, $"{_a}+{adapter}@lots", "--prompt", Prompt), "'lots' is not an adapter scale");
        string wide = TinyModels.Write(SpecA with { Name = "compare-wide", Embedding = 96 }); // the adapter's shapes do not fit it
        WeftProcess.AssertUserError(WeftProcess.Run("compare", _a, $"{wide}+{adapter}", "--prompt", Prompt, "-n", "1"), "cannot load the model");
    }

    [Fact]
    public async Task A_remote_endpoint_answers_in_its_column_as_the_same_model_does_here()
    {
        // the remote side is a weft server over a folder holding model a; greedy, both sides render a's chat template
        string folder = Directory.CreateTempSubdirectory("weft-compare-remote-").FullName;
        File.Copy(_a, Path.Combine(folder, "a.gguf"));
        var app = Weft.Server.WeftServer.Create(new Weft.Server.ServerOptions { Port = 0, ModelsDirectory = folder, DataDirectory = folder + "-data", Threads = 1 });
        await app.StartAsync();
        try
        {
            string url = app.Urls.First().TrimEnd('/');
            var columns = Columns(_a, $"openai:{url}/v1#a", "--prompt", Prompt, "--temp", "0", "-n", Count);
            Assert.Equal(Text(columns[0]), Text(columns[1]));
            Assert.False(string.IsNullOrEmpty(Text(columns[1])), "the remote column is empty: the comparison says nothing");
            Assert.Equal(columns[0].GetProperty("tokens").GetInt32(), columns[1].GetProperty("tokens").GetInt32());
            Assert.Equal(columns[0].GetProperty("prompt_tokens").GetInt32(), columns[1].GetProperty("prompt_tokens").GetInt32());
            Assert.True(columns[1].GetProperty("ttft_ms").GetDouble() > 0);

            WeftProcess.AssertUserError(WeftProcess.Run("compare", _a, $"openai:{url}/v1#nope", "--prompt", Prompt, "-n", "2"), "answered 404");
            WeftProcess.AssertUserError(WeftProcess.Run("compare", _a, $"openai:{url}/v1#a", "--prompt", Prompt, "--raw"), "remote endpoint");
            WeftProcess.AssertUserError(WeftProcess.Run("compare", _a, "openai:not-a-url", "--prompt", Prompt), "openai:URL#model");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(folder, true);
            if (Directory.Exists(folder + "-data")) Directory.Delete(folder + "-data", true);
        }
    }

    [Fact]
    public void One_model_is_a_user_error() =>
        WeftProcess.AssertUserError(WeftProcess.Run("compare", _a, "--prompt", Prompt), "2 to 4 models; got 1");

    [Fact]
    public void Five_models_is_a_user_error() =>
        WeftProcess.AssertUserError(WeftProcess.Run("compare", _a, _a, _b, _b, _a, "--prompt", Prompt), "2 to 4 models; got 5");

    [Fact]
    public void A_missing_model_is_a_user_error_naming_it()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-model-{Guid.NewGuid():N}.gguf");
        WeftProcess.AssertUserError(WeftProcess.Run("compare", _a, missing, "--prompt", Prompt), missing);
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_a_user_error_naming_it()
    {
        string bad = Path.Combine(Path.GetTempPath(), $"not-a-model-{Guid.NewGuid():N}.gguf");
        File.WriteAllText(bad, "this is not a GGUF file");
        try
        {
            WeftProcess.AssertUserError(WeftProcess.Run("compare", _a, bad, "--prompt", Prompt), bad);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public void A_prompt_longer_than_the_context_is_a_user_error()
    {
        string longPrompt = string.Join(' ', Enumerable.Repeat("word", 100));
        WeftProcess.AssertUserError(WeftProcess.Run("compare", _a, _b, "--prompt", longPrompt, "--raw", "--ctx", "16"), "context holds 16");
    }
}
