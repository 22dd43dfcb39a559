// LoRA adapters in llama.cpp's GGUF layout: the adapter checks, the factor pairs and their matrix views.
using Weft.Formats;
using Weft.Models.Adapters;

namespace Weft.Fuzz.Targets;

public static class LoraTarget
{
    public static FuzzTarget Target { get; } = new("lora", "LoraAdapterFile", Feed, [typeof(ModelFormatException), typeof(AdapterException)]);

    private static void Feed(byte[] data)
    {
        using var adapter = LoraAdapterFile.Open(Scratch.File("adapter.gguf", data));
        foreach (var pair in adapter.Pairs)
        {
            _ = adapter.Scale(pair, 1f);
            _ = adapter.MatrixA(pair);
            _ = adapter.MatrixB(pair);
        }
    }
}
