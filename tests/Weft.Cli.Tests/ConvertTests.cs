// `weft convert` on checkpoint folders it cannot convert: `weft: error: …` naming the file and the problem.
namespace Weft.Cli.Tests;

public class ConvertTests
{
    private static string Folder(string configJson)
    {
        string dir = Path.Combine(Path.GetTempPath(), "weft-cli-ckpt-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        if (configJson.Length > 0) File.WriteAllText(Path.Combine(dir, "config.json"), configJson);
        return dir;
    }

    [Fact]
    public void UnknownModelType() => WeftProcess.AssertUserError(
        WeftProcess.Run("convert", Folder("""{"model_type":"gpt_bigcode"}"""), "/tmp/never.gguf"), "model_type 'gpt_bigcode' is not supported");

    [Fact]
    public void MissingConfig() => WeftProcess.AssertUserError(
        WeftProcess.Run("convert", Folder(""), "/tmp/never.gguf"), "no config.json");

    [Fact]
    public void NotAFolder() => WeftProcess.AssertUserError(
        WeftProcess.Run("convert", "/nonexistent/ckpt", "/tmp/never.gguf"), "not a folder");
}
