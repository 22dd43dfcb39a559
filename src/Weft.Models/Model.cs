// A loaded model: its source (a GGUF file or a checkpoint folder, mapped and read in place), hyperparameters and weight views.
using Weft.Tensors.Kernels;
using Weft.Models.Adapters;
using Weft.Models.Architectures;
using Weft.Models.Loading;
using Weft.Models.Transformer;
using Weft.Tokenizers;

namespace Weft.Models;

public sealed class Model : IDisposable
{
    /// <summary>The GGUF file or checkpoint folder, seen as GGUF metadata and tensors.</summary>
    public ModelSource File { get; }
    public Architecture Architecture { get; }
    public ModelConfig Config { get; }
    public DecoderWeights Weights { get; }

    /// <summary>The LoRA adapters applied at inference, with their user scales (empty for the base alone).</summary>
    public IReadOnlyList<(LoraAdapterFile File, float Scale)> Adapters { get; }
    /// <summary>The adapters' low-rank updates per layer and projection, added by the forward pass.</summary>
    public LoraTerms Lora { get; }

    /// <summary>The packed copies of the weight matrices (see <see cref="PackedWeights"/>).</summary>
    public PackedWeights Packs { get; }

    private Model(ModelSource file, PackedWeights packs, Architecture architecture, ModelConfig config, DecoderWeights weights,
        IReadOnlyList<(LoraAdapterFile, float)> adapters, LoraTerms lora)
    {
        File = file;
        Packs = packs;
        Architecture = architecture;
        Config = config;
        Weights = weights;
        Adapters = adapters;
        Lora = lora;
    }

    /// <summary>Opens a GGUF model file or a Hugging Face checkpoint folder; throws ModelFormatException or
    /// UnsupportedModelException with a message a user can act on.</summary>
    public static Model Load(string path) => Load(path, []);

    /// <summary>Opens a model with LoRA adapters applied at inference (the base weights stay as they are); an adapter
    /// that does not fit the base throws AdapterException naming the tensor and both shapes. Without
    /// <paramref name="pack"/> no matrix is packed (for uses that read weights row by row, not through the products).</summary>
    public static Model Load(string path, IReadOnlyList<LoraSpec> adapters, bool pack = true)
    {
        var file = ModelSource.Open(path);
        var packs = new PackedWeights();
        var opened = new List<(LoraAdapterFile, float)>();
        try
        {
            var meta = new MetadataReader(file);
            var arch = ArchitectureRegistry.Get(meta.String(MetadataKeys.Architecture), path);
            var config = arch.ReadConfig(meta);
            // Rotate-half Q/K rows (checkpoints, unpermuted) rotate the same pairs under NeoX-style rope as llama.cpp's
            // permuted rows do under its normal rope: the attention scores are the same.
            if (file.RotateHalfQk) config = config with { RopeStyle = RopeStyle.NeoX };
            var loader = new WeightLoader(file, pack ? packs : null);
            var factors = loader.OptionalVector(TensorNames.RopeFrequencies, config.Rope.Dims / 2);
            if (factors != null) config = config with { Rope = config.Rope with { FreqFactors = factors } };
            var weights = arch.LoadWeights(loader, config);
            foreach (var spec in adapters)
            {
                var adapter = LoraAdapterFile.Open(spec.Path);
                opened.Add((adapter, spec.Scale));
                adapter.CheckFits(file);
            }
            var lora = opened.Count == 0 ? LoraTerms.None : LoraTerms.Build(file, weights, opened);
            return new Model(file, packs, arch, config, weights, opened, lora);
        }
        catch
        {
            foreach (var (adapter, _) in opened) adapter.Dispose();
            packs.Dispose();
            file.Dispose();
            throw;
        }
    }

    private Tokenizer? _tokenizer;

    /// <summary>The tokenizer described by the file's tokenizer.ggml.* metadata, built on first use.</summary>
    public Tokenizer Tokenizer => _tokenizer ??= GgufTokenizerLoader.Load(File);

    /// <summary>Bytes of weights read to decode one token.</summary>
    public long BytesPerToken => Weights.BytesPerToken(Config.ExpertUsedCount, Config.ExpertCount);

    public void Dispose()
    {
        foreach (var (adapter, _) in Adapters) adapter.Dispose();
        Packs.Dispose();
        File.Dispose();
    }
}
