// A loaded model: its file (mapped, read in place), hyperparameters and weight views.
using Weft.Formats.Gguf;
using Weft.Models.Architectures;
using Weft.Models.Loading;
using Weft.Models.Transformer;
using Weft.Tokenizers;

namespace Weft.Models;

public sealed class Model : IDisposable
{
    public GgufFile File { get; }
    public Architecture Architecture { get; }
    public ModelConfig Config { get; }
    public DecoderWeights Weights { get; }

    private Model(GgufFile file, Architecture architecture, ModelConfig config, DecoderWeights weights)
    {
        File = file;
        Architecture = architecture;
        Config = config;
        Weights = weights;
    }

    /// <summary>Opens a GGUF model file; throws ModelFormatException or UnsupportedModelException with a message a user can act on.</summary>
    public static Model Load(string path)
    {
        var file = GgufFile.Open(path);
        try
        {
            var meta = new MetadataReader(file);
            var arch = ArchitectureRegistry.Get(meta.String(MetadataKeys.Architecture), path);
            var config = arch.ReadConfig(meta);
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
