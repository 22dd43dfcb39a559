// What one model family contributes: how to read its hyperparameters and where its weights live.
using Weft.Models.Loading;
using Weft.Models.Transformer;

namespace Weft.Models.Architectures;

public abstract class Architecture
{
    /// <summary>The GGUF <c>general.architecture</c> value.</summary>
    public abstract string Name { get; }

    public abstract ModelConfig ReadConfig(MetadataReader meta);

    public abstract DecoderWeights LoadWeights(WeightLoader weights, ModelConfig config);
}
