// Finds the King James text: a file the user names, else the output of Debian's `bible` program (package bible-kjv).
using System.ComponentModel;
using System.Diagnostics;

namespace Weft.Evaluation.Data;

public static class KjvText
{
    /// <summary>The range that prints the whole Bible, one verse a line (models/weft-tiny/manifest.json's extraction).</summary>
    public const string WholeBible = "Gen1:1-Rev22:21";
    private const string InstallHint = "install it with `apt-get install bible-kjv` (Debian/Ubuntu), or give the path of a file holding `bible -f \"Gen1:1-Rev22:21\"`'s output";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The text of <paramref name="path"/> when given; else `bible -f "Gen1:1-Rev22:21"`'s output when the
    /// program is on PATH (<paramref name="program"/> overrides its name); else a TaskDataException saying how to get it.</summary>
    public static string Load(string? path = null, string program = "bible")
    {
        if (path != null) return DataFile.ReadText(path);
        string? found = FindProgram(program)
            ?? throw new TaskDataException($"the King James text was not found: the `{program}` program is not installed; {InstallHint}");
        return Run(found);
    }

    /// <summary>The full path of <paramref name="program"/> (a path, or a name looked up on PATH), or null.</summary>
    public static string? FindProgram(string program)
    {
        if (program.Contains(Path.DirectorySeparatorChar)) return File.Exists(program) ? program : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string Run(string program)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, StandardOutputEncoding = System.Text.Encoding.UTF8 };
        psi.ArgumentList.Add("-f");
        psi.ArgumentList.Add(WholeBible);
        Process process;
        try { process = Process.Start(psi) ?? throw new TaskDataException($"`{program}` could not be started; {InstallHint}"); }
        catch (Win32Exception e) { throw new TaskDataException($"`{program}` could not be started ({e.Message}); {InstallHint}", e); }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TaskDataException($"`{program} -f {WholeBible}` did not finish within {Timeout.TotalSeconds:0} s");
            }
            string text = stdout.GetAwaiter().GetResult();
            if (process.ExitCode != 0 || text.Length == 0)
                throw new TaskDataException($"`{program} -f {WholeBible}` failed (exit {process.ExitCode}): {stderr.GetAwaiter().GetResult().Trim()}; {InstallHint}");
            return text;
        }
    }
}
