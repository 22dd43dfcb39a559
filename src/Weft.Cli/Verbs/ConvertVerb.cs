// weft convert DIR OUT.gguf [--type T]: a Hugging Face checkpoint folder → a GGUF file llama.cpp loads.
using System.CommandLine;
using Weft.Models.Checkpoints;
using Weft.Models.Quantization;
using Weft.Tensors;

namespace Weft.Cli.Verbs;

internal static class ConvertVerb
{
    public static Command Create()
    {
        var input = new Argument<string>("DIR") { Description = "checkpoint folder (config.json, *.safetensors, tokenizer files)" };
        var output = new Argument<string>("OUT") { Description = "GGUF file to write" };
        var type = new Option<string>("--type")
        {
            Description = $"weight type: auto (as stored), f32, f16, bf16 or a recipe ({string.Join(", ", FileType.All.Select(f => f.Name.ToLowerInvariant()))})",
            DefaultValueFactory = _ => "auto",
        };
        var cmd = new Command("convert", "Convert a Hugging Face checkpoint folder to GGUF") { input, output, type };
        cmd.SetAction(r =>
        {
            string dir = r.GetValue(input)!, outPath = r.GetValue(output)!;
            if (!Directory.Exists(dir)) throw new ArgumentException($"{dir}: not a folder (a Hugging Face checkpoint folder is expected)");
            CheckpointConverter.Convert(dir, outPath, r.GetValue(type)!, (done, total, name, t) =>
                Console.Error.WriteLine($"[{done}/{total}] {name} -> {TypeTraits.NameOf(t)}"));
            Console.Error.WriteLine($"wrote {outPath} ({new FileInfo(outPath).Length:N0} bytes)");
            return 0;
        });
        return cmd;
    }
}
