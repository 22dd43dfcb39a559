// `weft compare` with a model of the endpoints file as a column: named ENDPOINT/MODEL or by id, answered by the
// endpoint with the key of its api_key_env, as the same model answers here.
using System.Text.Json;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Cli.Tests;

public sealed class CompareEndpointsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-compare-endpoints-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_column_named_from_the_endpoints_file_answers_with_its_endpoints_key()
    {
        string model = TinyModels.Write(new SyntheticModelSpec { Name = "compare-endpoints", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 128, Seed = 94 });
        string folder = Path.Combine(_dir, "models");
        Directory.CreateDirectory(folder);
        File.Copy(model, Path.Combine(folder, "lab-model.gguf"));
        var app = Weft.Server.WeftServer.Create(new Weft.Server.ServerOptions { Port = 0, ModelsDirectory = folder, DataDirectory = Path.Combine(_dir, "data"), Threads = 1, ApiKey = "lab-secret" });
        await app.StartAsync();
        try
        {
            string keyEnv = "WEFT_TEST_LAB_KEY_" + Guid.NewGuid().ToString("N")[..6];
            string file = Path.Combine(_dir, "endpoints.yaml");
            await File.WriteAllTextAsync(file, $"endpoints:\n  - name: lab\n    url: {app.Urls.First().TrimEnd('/')}/v1\n    api_key_env: {keyEnv}\n    models: [lab-model]\n");
            var env = new Dictionary<string, string?> { [keyEnv] = "lab-secret", ["OPENAI_API_KEY"] = null };
            foreach (string name in new[] { "lab/lab-model", "lab-model" })
            {
                var r = WeftProcess.RunWithEnvironment(env, "compare", model, name, "--endpoints", file, "--prompt", "Hello", "--temp", "0", "-n", "6", "--json", "-t", "1");
                Assert.True(r.Exit == 0, $"{name}: {r.Stderr}");
                using var doc = JsonDocument.Parse(r.Stdout);
                var columns = doc.RootElement.GetProperty("columns");
                Assert.Equal(columns[0].GetProperty("text").GetString(), columns[1].GetProperty("text").GetString());
                Assert.False(string.IsNullOrEmpty(columns[1].GetProperty("text").GetString()));
            }
            var keyless = WeftProcess.RunWithEnvironment(new Dictionary<string, string?> { [keyEnv] = null, ["OPENAI_API_KEY"] = "lab-secret" },
                "compare", model, "lab/lab-model", "--endpoints", file, "--prompt", "Hello", "-n", "2");
            WeftProcess.AssertUserError(keyless, "answered 401"); // $OPENAI_API_KEY is not sent to an endpoint of the file
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
