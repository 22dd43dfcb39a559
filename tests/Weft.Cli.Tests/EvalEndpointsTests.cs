// `weft eval` with models of an endpoints file: named by id or ENDPOINT/MODEL, evaluated through the endpoint with the
// key of its api_key_env and reported with its price; unknown models and a broken file are user errors.
using System.Text.Json;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Cli.Tests;

public sealed class EvalEndpointsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-eval-endpoints-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Piqa => Path.Combine(Oracle.SharedFolder, "eval-data", "piqa_valid.jsonl.gz");

    private static string Model() => TinyModels.Write(new SyntheticModelSpec
    {
        Name = "eval-endpoints", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 128, Seed = 93, Context = 512,
    }.WithLlamaVocabulary());

    private WeftResult Eval(string keyEnv, string? key, params string[] args)
    {
        var env = new Dictionary<string, string?> { [keyEnv] = key, ["OPENAI_API_KEY"] = null };
        return WeftProcess.RunWithEnvironment(env, ["eval", .. args, "--task", "piqa", "--data", Piqa, "--limit", "2", "--no-store", "--no-speed"]);
    }

    [Fact]
    public async Task A_model_of_the_endpoints_file_is_evaluated_with_its_key_and_price()
    {
        string folder = Path.Combine(_dir, "models");
        Directory.CreateDirectory(folder);
        File.Copy(Model(), Path.Combine(folder, "lab-model.gguf"));
        var app = Weft.Server.WeftServer.Create(new Weft.Server.ServerOptions { Port = 0, ModelsDirectory = folder, DataDirectory = Path.Combine(_dir, "data"), Threads = 1, ApiKey = "lab-secret" });
        await app.StartAsync();
        try
        {
            string url = app.Urls.First().TrimEnd('/');
            string keyEnv = "WEFT_TEST_LAB_KEY_" + Guid.NewGuid().ToString("N")[..6];
            string file = Path.Combine(_dir, "endpoints.yaml");
            await File.WriteAllTextAsync(file, $"endpoints:\n  - name: lab\n    url: {url}/v1\n    api_key_env: {keyEnv}\n    models: [lab-model]\n    price: {{ input: 0.5, output: 1.5 }}\n");

            foreach (string name in new[] { "lab-model", "lab/lab-model" })
            {
                string json = Path.Combine(_dir, Guid.NewGuid().ToString("N")[..6] + ".json");
                var r = Eval(keyEnv, "lab-secret", name, "--endpoints", file, "--json", json);
                Assert.True(r.Exit == 0, $"{name}: exit {r.Exit}: {r.Stderr}");
                using var doc = JsonDocument.Parse(File.ReadAllText(json));
                var facts = Assert.Single(doc.RootElement.GetProperty("models").EnumerateArray());
                Assert.Equal("remote", facts.GetProperty("kind").GetString());
                Assert.Equal($"openai:{url}/v1#lab-model", facts.GetProperty("source").GetString());
                Assert.Equal(0.5, facts.GetProperty("cost_input").GetDouble());
                Assert.Equal(1.5, facts.GetProperty("cost_output").GetDouble());
                Assert.Equal(2, Assert.Single(doc.RootElement.GetProperty("runs").EnumerateArray()).GetProperty("items").GetArrayLength());
            }

            var keyless = Eval(keyEnv, null, "lab-model", "--endpoints", file); // the file's key variable unset: the server refuses
            Assert.Equal(2, keyless.Exit);
            Assert.Contains("401", keyless.Stderr + keyless.Stdout, StringComparison.Ordinal);

            WeftProcess.AssertUserError(Eval(keyEnv, "lab-secret", "lab/nothing", "--endpoints", file), "does not list the model 'nothing'");
            WeftProcess.AssertUserError(Eval(keyEnv, "lab-secret", "lab-model", "--endpoints", Path.Combine(_dir, "missing.yaml")), "does not exist");
            await File.WriteAllTextAsync(file, "endpoints:\n  - name: lab\n    url: not a url\n");
            WeftProcess.AssertUserError(Eval(keyEnv, "lab-secret", "lab-model", "--endpoints", file), "endpoints.yaml:3:");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
