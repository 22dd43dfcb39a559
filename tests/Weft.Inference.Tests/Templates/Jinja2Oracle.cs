// Real Jinja2 (Debian's python3-jinja2) rendering as transformers does, through jinja2_oracle.py: the second template oracle.
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Weft.Inference.Tests.Templates;

public sealed record OracleResult(bool Ok, string Text);

public static class Jinja2Oracle
{
    public const string Now = "2024-07-26T13:45:09";
    public static readonly DateTime NowValue = new(2024, 7, 26, 13, 45, 9);

    private static string Script => Path.Combine(AppContext.BaseDirectory, "Templates", "jinja2_oracle.py");

    /// <summary>Renders every (template, context) job in one Python process; fails (never skips) when Jinja2 is missing.</summary>
    public static List<OracleResult> RenderAll(IReadOnlyList<(string Template, JsonObject Context)> jobs)
    {
        Installed.Value.GetType();
        var input = new StringBuilder();
        foreach (var (template, context) in jobs)
            input.Append(new JsonObject { ["template"] = template, ["context"] = context.DeepClone(), ["now"] = Now }.ToJsonString()).Append('\n');
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Script);
        psi.StandardInputEncoding = new UTF8Encoding(false);
        psi.StandardOutputEncoding = Encoding.UTF8;
        using var p = Process.Start(psi)!;
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        var stderrTask = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(input.ToString());
        p.StandardInput.Close();
        p.WaitForExit();
        string stdout = stdoutTask.Result;
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"jinja2_oracle.py failed ({p.ExitCode}); is python3-jinja2 installed (apt-get install -y python3-jinja2)?\n{stderrTask.Result}");
        var results = new List<OracleResult>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            bool ok = r.GetProperty("ok").GetBoolean();
            results.Add(new OracleResult(ok, ok ? r.GetProperty("out").GetString()! : r.GetProperty("error").GetString()!));
        }
        Assert.Equal(jobs.Count, results.Count);
        return results;
    }

    /// <summary>Installs Debian's python3-jinja2 on first use when /usr/bin/python3 lacks it (as the llama.cpp oracle installs itself).</summary>
    private static readonly Lazy<bool> Installed = new(() =>
    {
        if (Run("/usr/bin/python3", "-c", "import jinja2") == 0) return true;
        if (Run("apt-get", "install", "-y", "-qq", "python3-jinja2") != 0)
        {
            Run("apt-get", "update", "-qq");
            Run("apt-get", "install", "-y", "-qq", "python3-jinja2");
        }
        return Run("/usr/bin/python3", "-c", "import jinja2") == 0
            ? true : throw new InvalidOperationException("python3-jinja2 could not be installed (apt-get install -y python3-jinja2)");
    });

    private static int Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }

    public static OracleResult Render(string template, JsonObject context) => RenderAll([(template, context)])[0];
}
