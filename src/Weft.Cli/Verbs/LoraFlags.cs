// --lora FILE (repeatable, or FILE,FILE) and --lora-scale S (once for every adapter, or once per adapter in order), shared by
// run, chat, logits and serve; as llama.cpp, the update of each adapter is S·alpha/rank·B(A x).
using System.CommandLine;
using Weft.Models.Adapters;

namespace Weft.Cli.Verbs;

internal sealed class LoraFlags
{
    private readonly Option<string[]> _lora = new("--lora")
    {
        Description = "a LoRA adapter (GGUF, llama.cpp's layout) applied at inference; repeatable, or comma-separated",
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<float[]> _scale = new("--lora-scale")
    {
        Description = "scale of the adapters' update (default 1): once for all, or once per --lora in order",
        AllowMultipleArgumentsPerToken = false,
    };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(_lora);
        cmd.Options.Add(_scale);
    }

    public IReadOnlyList<LoraSpec> Read(ParseResult r)
    {
        var files = (r.GetValue(_lora) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        var scales = r.GetValue(_scale) ?? [];
        if (files.Length == 0 && scales.Length > 0) throw new UsageException("--lora-scale needs a --lora adapter");
        if (scales.Length > 1 && scales.Length != files.Length)
            throw new UsageException($"{scales.Length} --lora-scale values for {files.Length} --lora adapters: give one for all or one per adapter");
        foreach (float s in scales)
            if (!float.IsFinite(s)) throw new UsageException($"--lora-scale {s} is not a finite number");
        var specs = new LoraSpec[files.Length];
        for (int i = 0; i < files.Length; i++)
        {
            if (!File.Exists(files[i])) throw new UsageException($"the adapter '{files[i]}' does not exist");
            specs[i] = new LoraSpec(files[i], scales.Length == 0 ? 1f : scales.Length == 1 ? scales[0] : scales[i]);
        }
        return specs;
    }
}
