// Runs the refharness oracle (llama.cpp's tokenizer through its C API). Answers of single calls are cached on
// disk by a hash of vocabulary, arguments and input, so a second test run does not pay for loading vocabularies
// hundreds of times.
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Weft.Tokenizers.Tests;

internal static class Oracle
{
    private static readonly string CacheDir = Path.Combine(Path.GetTempPath(), "weft-tokenizer-oracle-cache");

    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr);

    public static Result Run(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Reference.Refharness)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start refharness");
        var stderr = p.StandardError.ReadToEndAsync();
        using var ms = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(ms);
        p.WaitForExit();
        return new Result(p.ExitCode, ms.ToArray(), stderr.Result);
    }

    private static byte[] Cached(string vocab, string kind, byte[] input, Func<byte[]> compute)
    {
        var vocabInfo = new FileInfo(Reference.VocabPath(vocab));
        var key = Encoding.UTF8.GetBytes($"{vocab}\0{vocabInfo.Length}\0{vocabInfo.LastWriteTimeUtc.Ticks}\0{kind}\0");
        string hash = Convert.ToHexString(SHA256.HashData([.. key, .. input]));
        string path = Path.Combine(CacheDir, hash);
        if (File.Exists(path)) return File.ReadAllBytes(path);
        var result = compute();
        Directory.CreateDirectory(CacheDir);
        string tmp = path + "." + Guid.NewGuid().ToString("N");
        File.WriteAllBytes(tmp, result);
        File.Move(tmp, path, overwrite: true);
        return result;
    }

    /// <summary>llama.cpp's log of loading the vocabulary (its print_info lines name the special tokens).</summary>
    public static string LoadLog(string vocab) => Encoding.UTF8.GetString(Cached(vocab, "load log", [], () =>
    {
        var r = Run(["tokenize", Reference.VocabPath(vocab), "x", "-v"]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"refharness tokenize -v failed ({r.ExitCode}): {r.Stderr}");
        return Encoding.UTF8.GetBytes(r.Stderr);
    }));

    /// <summary>llama.cpp's ids for one text (<c>tokenize VOCAB --file F [--bos] [--special]</c>).</summary>
    public static int[] Tokenize(string vocab, string text, bool bos, bool special)
    {
        var input = Encoding.UTF8.GetBytes(text);
        var stdout = Cached(vocab, $"tokenize bos={bos} special={special}", input, () =>
        {
            string file = Path.GetTempFileName();
            try
            {
                File.WriteAllBytes(file, input);
                var args = new List<string> { "tokenize", Reference.VocabPath(vocab), "--file", file };
                if (bos) args.Add("--bos");
                if (special) args.Add("--special");
                var r = Run(args);
                if (r.ExitCode != 0) throw new InvalidOperationException($"refharness tokenize failed ({r.ExitCode}): {r.Stderr}");
                return r.Stdout;
            }
            finally
            {
                File.Delete(file);
            }
        });
        return Encoding.ASCII.GetString(stdout).Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
    }

    /// <summary>llama.cpp's text for ids (<c>detokenize VOCAB ID... [--special]</c>), as bytes.</summary>
    public static byte[] Detokenize(string vocab, int[] ids, bool special)
    {
        var input = Encoding.ASCII.GetBytes(string.Join(' ', ids));
        var stdout = Cached(vocab, $"detokenize special={special}", input, () =>
        {
            var args = new List<string> { "detokenize", Reference.VocabPath(vocab) };
            args.AddRange(ids.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (special) args.Add("--special");
            var r = Run(args);
            if (r.ExitCode != 0) throw new InvalidOperationException($"refharness detokenize failed ({r.ExitCode}): {r.Stderr}");
            return r.Stdout;
        });
        Assert.True(stdout.Length > 0 && stdout[^1] == '\n', "detokenize output lacks its final newline");
        return stdout[..^1];
    }

    /// <summary>
    /// Checks many texts in one oracle call (no BOS, no special parsing): writes them as a test-vector pair next
    /// to a link to the vocabulary and runs <c>tokcheck</c>. Returns the indices that failed with llama.cpp's ids.
    /// </summary>
    public static List<(int Case, int[] Theirs)> BatchCheck(string vocab, IReadOnlyList<string> texts, IReadOnlyList<int[]> ours)
    {
        string dir = Path.Combine(Path.GetTempPath(), "weft-tokcheck-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string link = Path.Combine(dir, Path.GetFileName(Reference.VocabPath(vocab)));
            File.CreateSymbolicLink(link, Reference.VocabPath(vocab));
            const string sep = "\n__ggml_vocab_test__\n";
            File.WriteAllBytes(link + ".inp", Encoding.UTF8.GetBytes(string.Join(sep, texts)));
            File.WriteAllText(link + ".out", string.Concat(ours.Select(ids => string.Join(' ', ids) + "\n")));
            var r = Run(["tokcheck", link]);
            string summary = Encoding.UTF8.GetString(r.Stdout);
            var failed = new List<(int, int[])>();
            var lines = r.Stderr.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                if (!lines[i].StartsWith("# FAIL case ", StringComparison.Ordinal)) continue;
                int index = int.Parse(lines[i]["# FAIL case ".Length..lines[i].IndexOf(':', StringComparison.Ordinal)]);
                var got = lines.Skip(i + 1).First(l => l.StartsWith("#   got:", StringComparison.Ordinal));
                failed.Add((index, got["#   got:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray()));
            }
            string expect = $"{texts.Count - failed.Count} passed, {failed.Count} failed";
            Assert.True(summary.Contains(expect, StringComparison.Ordinal), $"tokcheck said '{summary.Trim()}', expected '{expect}'\n{r.Stderr}");
            return failed;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
