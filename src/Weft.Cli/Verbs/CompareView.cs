// What `weft compare` shows: each column's text and figures, live side by side on a terminal, else as blocks or JSON.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Weft.Inference.Generation;
using Weft.Models.Adapters;

namespace Weft.Cli.Verbs;

/// <summary>One answer: filled on its scheduler's thread as tokens stream, read by the view.</summary>
internal sealed class CompareColumn(int index, string path, IReadOnlyList<LoraSpec> adapters, ulong? seed, int promptTokens)
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _text = new();
    private int _tokens;
    private double? _firstTokenMs;
    private GenerationResult? _result;

    /// <summary>1-based, as shown.</summary>
    public int Index { get; } = index;
    public string Path { get; } = path;
    public IReadOnlyList<LoraSpec> Adapters { get; } = adapters;
    /// <summary>The sampling seed; null for greedy columns.</summary>
    public ulong? Seed { get; } = seed;
    /// <summary>Known before generation for local columns, from the endpoint's usage for remote ones.</summary>
    public int PromptTokens { get; set; } = promptTokens;
    public int Threads { get; set; }

    /// <summary>The model's file or folder name, with the names of the adapters applied to it.</summary>
    public string Name
    {
        get
        {
            if (CompareRemote.IsRemote(Path))
            {
                var (url, model) = CompareRemote.Parse(Path);
                return $"{model} @ {url.Authority}";
            }
            string name = System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(Path));
            foreach (var a in Adapters) name += " + " + System.IO.Path.GetFileName(a.Path);
            return name;
        }
    }

    /// <summary>A token's text (token -1: text released at the end); the first token fixes the time to first token.</summary>
    public void Append(int token, string text, Stopwatch clock)
    {
        lock (_gate)
        {
            if (token >= 0)
            {
                _tokens++;
                _firstTokenMs ??= clock.Elapsed.TotalMilliseconds;
            }
            _text.Append(text);
        }
    }

    public void Complete(GenerationResult result)
    {
        lock (_gate) _result = result;
    }

    public Snapshot Read()
    {
        lock (_gate)
        {
            return _result is { } r
                ? new Snapshot(r.Text, r.Tokens.Count, _firstTokenMs, r.Tokens.Count == 0 ? 0 : r.GenerationTokensPerSecond, FinishName(r.Finish), true)
                : new Snapshot(_text.ToString(), _tokens, _firstTokenMs, 0, null, false);
        }
    }

    /// <param name="FinishReason">null while generating; "cancelled" for a column stopped before its first step</param>
    public sealed record Snapshot(string Text, int Tokens, double? FirstTokenMs, double TokensPerSecond, string? FinishReason, bool Done)
    {
        /// <param name="separator">between the figures: ", " on one line, or a line break for a narrow column</param>
        public string Figures(int promptTokens, string separator = ", ")
        {
            var inv = CultureInfo.InvariantCulture;
            if (!Done) return string.Create(inv, $"{Tokens} tokens…");
            string first = FirstTokenMs is double ms ? string.Create(inv, $"{ms:F0} ms") : "none";
            return string.Join(separator, string.Create(inv, $"{Tokens} tokens"), $"first token {first}", string.Create(inv, $"{TokensPerSecond:F1} tok/s"),
                string.Create(inv, $"{promptTokens} prompt tokens"), $"stop: {FinishReason}");
        }
    }

    public static string FinishName(FinishReason finish) => finish switch
    {
        FinishReason.Length => "length",
        FinishReason.EndOfGeneration => "end_of_generation",
        FinishReason.StopString => "stop_string",
        FinishReason.ContextFull => "context_full",
        _ => "cancelled",
    };
}

internal static class CompareOutput
{
    /// <summary>Each column in order: `== [K] NAME ==`, its text, then its figures in brackets.</summary>
    public static void WriteBlocks(TextWriter w, IReadOnlyList<CompareColumn> columns)
    {
        foreach (var c in columns)
        {
            var s = Done(c.Read());
            w.WriteLine($"== [{c.Index}] {c.Name} ==");
            w.Write(s.Text);
            if (!s.Text.EndsWith('\n')) w.WriteLine();
            w.WriteLine($"[{s.Figures(c.PromptTokens)}]");
            w.WriteLine();
        }
        w.Flush();
    }

    public static void WriteJson(TextWriter w, CompareOptions options, IReadOnlyList<CompareColumn> columns)
    {
        var output = new CompareJson(options.Prompt, [.. columns.Select(c =>
        {
            var s = Done(c.Read());
            return new CompareJsonColumn(c.Path, [.. c.Adapters.Select(a => a.Path)], c.Seed, s.Text, s.Tokens,
                s.FirstTokenMs is double ms ? Math.Round(ms, 3) : null, Math.Round(s.TokensPerSecond, 3), c.PromptTokens, s.FinishReason!);
        })]);
        w.WriteLine(System.Text.Json.JsonSerializer.Serialize(output, Json.CompareJson));
        w.Flush();
    }

    // Answers in any script stay readable: only what JSON requires is escaped.
    private static readonly CompareJsonContext Json = new(new System.Text.Json.JsonSerializerOptions(CompareJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>A column that never got a result (stopped while queued) reads as cancelled.</summary>
    private static CompareColumn.Snapshot Done(CompareColumn.Snapshot s) => s.Done ? s : s with { FinishReason = "cancelled", Done = true };
}

/// <summary>The columns side by side, redrawn as tokens stream (the bottom of each answer when it outgrows the terminal),
/// then drawn once more in full.</summary>
internal sealed class LiveCompareView(IReadOnlyList<CompareColumn> columns)
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(100);

    public void Run(Task all)
    {
        AnsiConsole.Live(Build()).AutoClear(true).Overflow(VerticalOverflow.Ellipsis).Cropping(VerticalOverflowCropping.Top).Start(ctx =>
        {
            while (!((IAsyncResult)all).AsyncWaitHandle.WaitOne(Frame)) ctx.UpdateTarget(Build());
        });
    }

    public void Finish() => AnsiConsole.Write(Build());

    /// <summary>The text with tabs as spaces and other control characters (a random model's ESC or CR would move the
    /// cursor and break the table) as U+FFFD; line breaks stay.</summary>
    private static string Printable(string text)
    {
        if (!text.Any(ch => char.IsControl(ch) && ch != '\n')) return text;
        var b = new StringBuilder(text.Length);
        foreach (char ch in text)
        {
            if (ch == '\t') b.Append("    ");
            else b.Append(ch != '\n' && char.IsControl(ch) ? '\uFFFD' : ch);
        }
        return b.ToString();
    }

    private Table Build()
    {
        int n = columns.Count;
        // Each column takes its share of the width less "│ " and " " around its text, and the closing "│".
        int width = Math.Max(8, (AnsiConsole.Profile.Width - 1 - 3 * n) / n);
        var table = new Table().Border(TableBorder.Rounded).ShowRowSeparators();
        var texts = new IRenderable[n];
        var figures = new IRenderable[n];
        for (int i = 0; i < n; i++)
        {
            var c = columns[i];
            var s = c.Read();
            table.AddColumn(new TableColumn(new Text($"[{c.Index}] {c.Name}", new Style(decoration: Decoration.Bold))) { Width = width });
            texts[i] = new Text(Printable(s.Text));
            figures[i] = new Text(s.Figures(c.PromptTokens, "\n"), new Style(Color.Grey));
        }
        table.AddRow(texts);
        table.AddRow(figures);
        return table;
    }
}

internal sealed record CompareJson(string Prompt, IReadOnlyList<CompareJsonColumn> Columns);

/// <param name="Seed">the column's sampling seed; null when decoding is greedy</param>
/// <param name="TtftMs">from the start of generation (every model loaded) to this column's first token; null when it generated none</param>
internal sealed record CompareJsonColumn(string Model, IReadOnlyList<string> Adapters, ulong? Seed, string Text, int Tokens,
    double? TtftMs, double TokensPerS, int PromptTokens, string FinishReason);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(CompareJson))]
internal sealed partial class CompareJsonContext : JsonSerializerContext;
