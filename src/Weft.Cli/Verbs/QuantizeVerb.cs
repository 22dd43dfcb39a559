// weft quantize IN OUT TYPE [--pure]: re-encodes a model with one of llama.cpp's recipes, with a progress bar.
using System.CommandLine;
using Spectre.Console;
using Weft.Models.Quantization;
using Weft.Tensors;

namespace Weft.Cli.Verbs;

internal static class QuantizeVerb
{
    public static Command Create()
    {
        var input = new Argument<string>("IN") { Description = "source GGUF file" };
        var output = new Argument<string>("OUT") { Description = "file to write" };
        var type = new Argument<string>("TYPE") { Description = $"recipe: {string.Join(", ", FileType.All.Select(f => f.Name))}" };
        var pure = new Option<bool>("--pure") { Description = "every weight matrix gets TYPE (no per-tensor mixing)" };
        var cmd = new Command("quantize", "Convert a GGUF model to another weight type") { input, output, type, pure };
        cmd.SetAction(r =>
        {
            var ft = FileType.Parse(r.GetValue(type)!);
            string inPath = r.GetValue(input)!, outPath = r.GetValue(output)!;
            bool interactive = !Console.IsErrorRedirected;
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            if (interactive)
            {
                console.Progress().Start(ctx =>
                {
                    var task = ctx.AddTask($"quantizing to {ft.Name}");
                    ModelQuantizer.Quantize(inPath, outPath, ft, r.GetValue(pure), (done, total, name, t) =>
                    {
                        task.MaxValue = total;
                        task.Value = done;
                        task.Description = $"{name} → {TypeTraits.NameOf(t)}";
                    });
                });
            }
            else
            {
                ModelQuantizer.Quantize(inPath, outPath, ft, r.GetValue(pure), (done, total, name, t) =>
                    Console.Error.WriteLine($"[{done}/{total}] {name} -> {TypeTraits.NameOf(t)}"));
            }
            Console.Error.WriteLine($"wrote {outPath} ({new FileInfo(outPath).Length:N0} bytes, {ft.Name})");
            return 0;
        });
        return cmd;
    }
}
