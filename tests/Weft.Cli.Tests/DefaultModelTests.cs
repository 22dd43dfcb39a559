// weft-tiny ships beside the binary: `weft run` uses it when no model is named, and llama.cpp reads the very same
// file with the same logits.
using Weft.TestKit;

namespace Weft.Cli.Tests;

public sealed class DefaultModelTests
{
    private static string Bundled => Path.Combine(AppContext.BaseDirectory, "models", "weft-tiny.gguf");

    [Fact]
    public void Run_without_a_model_uses_weft_tiny()
    {
        Assert.True(File.Exists(Bundled), $"the build did not copy weft-tiny to {Bundled}");
        var r = WeftProcess.Run("run", "--prompt", "And God said", "-n", "12", "--temp", "0");
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.True(r.Stdout.Trim().Length >= 12, r.Stdout); // 12 tokens of the model's text
        var same = WeftProcess.Run("run", Bundled, "--prompt", "And God said", "-n", "12", "--temp", "0");
        Assert.Equal(same.Stdout, r.Stdout);
    }

    [Fact]
    public void Llama_cpp_reads_weft_tiny_with_our_logits()
    {
        Oracle.Require();
        var ids = new[] { 1, 400, 1234, 57, 3000, 999, 12, 2048, 77, 4095, 300, 5 };
        var ours = Engine.Logits(Bundled, ids);
        var theirs = Oracle.Logits(Bundled, ids);
        var verdict = Agreement.Check(theirs, ours, ours.Length / ids.Length, "f16", () => theirs);
        Assert.True(verdict.Passed, verdict.Detail);
    }
}

public sealed class ServeDefaultModelTests
{
    [Fact]
    public async Task Serve_with_no_models_folder_serves_weft_tiny()
    {
        string home = Directory.CreateTempSubdirectory("weft-home-").FullName;
        int port = FreePort();
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "weft.dll"));
        foreach (var a in new[] { "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", home }) psi.ArgumentList.Add(a);
        psi.Environment["HOME"] = home;
        using var p = System.Diagnostics.Process.Start(psi)!;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            string? body = null;
            for (int i = 0; i < 120 && body == null; i++)
            {
                try { body = await http.GetStringAsync($"http://127.0.0.1:{port}/v1/models"); }
                catch (HttpRequestException) { await Task.Delay(500); }
            }
            Assert.NotNull(body);
            Assert.Contains("\"weft-tiny\"", body);
        }
        finally
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            Directory.Delete(home, recursive: true);
        }
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
