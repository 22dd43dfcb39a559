// `weft convert` on checkpoint folders it cannot convert: `weft: error: …` naming the file and the problem.
namespace Weft.Cli.Tests;

public class ConvertTests
{
    /// <summary>Runs `weft convert` on a temp folder holding <paramref name="configJson"/> (none when empty), then removes it.</summary>
    private static WeftResult ConvertFolder(string configJson)
    {
        string dir = Path.Combine(Path.GetTempPath(), "weft-cli-ckpt-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            if (configJson.Length > 0) File.WriteAllText(Path.Combine(dir, "config.json"), configJson);
            return WeftProcess.Run("convert", dir, Path.Combine(dir, "out.gguf"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void UnknownModelType() => WeftProcess.AssertUserError(
        ConvertFolder("""{"model_type":"gpt_bigcode"}"""), "model_type 'gpt_bigcode' is not supported");

    [Fact]
    public void MissingConfig() => WeftProcess.AssertUserError(ConvertFolder(""), "no config.json");

    [Fact]
    public void NotAFolder() => WeftProcess.AssertUserError(
        WeftProcess.Run("convert", "/nonexistent/ckpt", "/tmp/never.gguf"), "not a folder");
}
