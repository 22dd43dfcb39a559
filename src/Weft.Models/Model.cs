// A loaded model: its source (a GGUF file or a checkpoint folder, mapped and read in place), hyperparameters and weight views.
using Weft.Tensors.Kernels;
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

    private Model(ModelSource file, Architecture architecture, ModelConfig config, DecoderWeights weights)
    {
        File = file;
        Architecture = architecture;
        Config = config;
        Weights = weights;
    }

    /// <summary>Opens a GGUF model file or a Hugging Face checkpoint folder; throws ModelFormatException or
    /// UnsupportedModelException with a message a user can act on.</summary>
    public static Model Load(string path)
    {
        var file = ModelSource.Open(path);
        try
        {
            var meta = new MetadataReader(file);
            var arch = ArchitectureRegistry.Get(meta.String(MetadataKeys.Architecture), path);
            var config = arch.ReadConfig(meta);
            // Rotate-half Q/K rows (checkpoints, unpermuted) rotate the same pairs under NeoX-style rope as llama.cpp's
            // permuted rows do under its normal rope: the attention scores are the same.
            if (file.RotateHalfQk) config = config with { RopeStyle = RopeStyle.NeoX };
            var loader = new WeightLoader(file);
            var factors = loader.OptionalVector(TensorNames.RopeFrequencies, config.Rope.Dims / 2);
            if (factors != null) config = config with { Rope = config.Rope with { FreqFactors = factors } };
            var weights = arch.LoadWeights(loader, config);
            return new Model(file, arch, config, weights);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private Tokenizer? _tokenizer;

    /// <summary>The tokenizer described by the file's tokenizer.ggml.* metadata, built on first use.</summary>
    public Tokenizer Tokenizer => _tokenizer ??= GgufTokenizerLoader.Load(File);

    /// <summary>Bytes of weights read to decode one token.</summary>
    public long BytesPerToken => Weights.BytesPerToken(Config.ExpertUsedCount, Config.ExpertCount);

    public void Dispose() => File.Dispose();
}
