// endpoints.yaml: the example of docs/gateway.md reads as written; every mistake names its line.
using Weft.Server.Remote;

namespace Weft.Server.Tests.Gateway;

public sealed class EndpointsFileTests
{
    [Fact]
    public void The_documented_example_reads()
    {
        var config = EndpointsFile.Parse("""
            health_interval: 5
            endpoints:
              - name: lab-vllm
                url: http://10.0.0.5:8000/v1
                api_key_env: LAB_KEY
                models: [mistral-7b-instruct]
                price: { input: 0.10, output: 0.30 }
              - name: lab-vllm-2
                url: http://10.0.0.6:8000/v1/
            """, "endpoints.yaml");
        Assert.Equal(TimeSpan.FromSeconds(5), config.HealthInterval);
        Assert.Equal(EndpointsConfig.DefaultActivityTimeout, config.ActivityTimeout);
        Assert.Equal(2, config.Endpoints.Count);
        var first = config.Endpoints[0];
        Assert.Equal("http://10.0.0.5:8000/v1", first.Base);
        Assert.Equal("LAB_KEY", first.ApiKeyEnv);
        Assert.Equal(["mistral-7b-instruct"], first.Models!);
        Assert.Equal(new Price(0.10, 0.30), first.Price);
        Assert.Null(config.Endpoints[1].Models); // discovered through its /v1/models
        Assert.Equal("http://10.0.0.6:8000/v1", config.Endpoints[1].Base);
        Assert.Empty(EndpointsFile.Parse("", "empty.yaml").Endpoints);
    }

    [Theory]
    [InlineData("endpoints:\n  - name: a\n    url: http://h/v1\n    modles: [x]\n", ":4:", "unknown an endpoint's key 'modles'")]
    [InlineData("endpoints:\n  - name: a\n    api_key_env: K\n", ":2:", "needs a 'url'")]
    [InlineData("endpoints:\n  - name: a\n    url: ftp://h/v1\n", ":3:", "is not an http(s) URL")]
    [InlineData("endpoints:\n  - name: a\n    url: http://h/v1\n    price: { input: cheap }\n", ":4:", "'input' must be a number")]
    [InlineData("endpoints:\n  - name: a\n    url: http://h/v1\n    models: x\n", ":4:", "must be a list")]
    [InlineData("endpoint:\n  - name: a\n", ":1:", "unknown key 'endpoint'")]
    [InlineData("endpoints:\n  - name: a\n    url: http://h/v1\n  - name: a\n    url: http://g/v1\n", ":4:", "used twice")]
    [InlineData("endpoints: [\n", ":", "")]
    public void A_mistake_names_the_line(string yaml, string line, string message)
    {
        var e = Assert.Throws<EndpointsFileException>(() => EndpointsFile.Parse(yaml, "endpoints.yaml"));
        Assert.StartsWith("endpoints.yaml" + line, e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_with_a_broken_file_does_not_start_and_says_where()
    {
        string file = Path.Combine(Path.GetTempPath(), "weft-endpoints-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
        File.WriteAllText(file, "endpoints:\n  - name: a\n    url: 12\n");
        try
        {
            var e = Assert.Throws<ArgumentException>(() => WeftServer.Create(new ServerOptions { Port = 0, EndpointsFile = file, ModelsDirectory = Path.GetTempPath(), DataDirectory = file + "-data" }));
            Assert.Contains(file + ":3:", e.Message, StringComparison.Ordinal);
            var missing = Assert.Throws<ArgumentException>(() => WeftServer.Create(new ServerOptions { Port = 0, EndpointsFile = file + ".none", ModelsDirectory = Path.GetTempPath(), DataDirectory = file + "-data" }));
            Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
