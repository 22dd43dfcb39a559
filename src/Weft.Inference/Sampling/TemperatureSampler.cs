// Temperature: scale the logits before the random pick.
namespace Weft.Inference.Sampling;

/// <summary>
/// Divides every logit by the temperature T &gt; 0, so the pick follows softmax(logit / T).
/// (Temperature 0 is greedy decoding; the chain uses <see cref="GreedySampler"/> for it.)
/// </summary>
public sealed class TemperatureSampler
{
    public TemperatureSampler(float temperature)
    {
        if (!(temperature > 0f) || float.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "must be finite and > 0");
        Temperature = temperature;
    }

    public float Temperature { get; }

    public void Apply(CandidateSet set)
    {
        if (Temperature == 1f) return;
        var items = set.Items;
        float t = Temperature;
        for (int i = 0; i < items.Length; i++) items[i].Logit /= t;
        // dividing can round distinct logits to equal ones, which may break the id order among ties
        set.MarkUnsorted();
    }
}
