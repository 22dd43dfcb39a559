// weft merge BASE ADAPTER OUT [--lora-scale S] [--type T]: bakes a LoRA adapter into the base's weights (W + scale·B·A,
// re-encoded in each weight's own type unless --type says otherwise) and writes a standalone model.
using System.CommandLine;
using Weft.Models.Adapters;
using Weft.Tensors;

namespace Weft.Cli.Verbs;

internal static class MergeVerb
{
    public static Command Create()
    {
        var model = new Argument<string>("BASE") { Description = "the base model (GGUF) the adapter was trained on" };
        var adapter = new Argument<string>("ADAPTER") { Description = "the LoRA adapter (GGUF, llama.cpp's layout)" };
        var output = new Argument<string>("OUT") { Description = "the merged model to write" };
        var scale = new Option<float>("--lora-scale") { Description = "scale of the adapter's update (times alpha/rank)", DefaultValueFactory = _ => 1f };
        var type = new Option<string?>("--type") { Description = "type of the merged weights: F32, F16, BF16, Q8_0, Q4_0, … (default: each weight's own)" };
        var cmd = new Command("merge", "Bake a LoRA adapter into a base model's weights and write the result as a new model") { model, adapter, output, scale, type };
        cmd.SetAction(r =>
        {
            string basePath = r.GetValue(model)!, adapterPath = r.GetValue(adapter)!, outPath = r.GetValue(output)!;
            if (!float.IsFinite(r.GetValue(scale))) throw new UsageException("--lora-scale must be a finite number");
            GgmlType? target = null;
            if (r.GetValue(type) is string name)
            {
                if (!TypeTraits.TryParse(name, out var t)) throw new UsageException($"--type: '{name}' is not a tensor type (F32, F16, BF16, Q8_0, Q4_0, Q4_K, …)");
                target = t;
            }
            foreach (var path in new[] { basePath, adapterPath })
                if (!File.Exists(path)) throw new UsageException($"'{path}' does not exist");
            int merged = 0;
            LoraMerger.Merge(basePath, [new LoraSpec(adapterPath, r.GetValue(scale))], outPath, target, (_, _, name, m) =>
            {
                if (m) merged++;
            });
            Console.Error.WriteLine($"wrote {outPath} ({new FileInfo(outPath).Length:N0} bytes; {merged} weights merged)");
            return 0;
        });
        return cmd;
    }
}
