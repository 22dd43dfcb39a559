// One entry of the candidate list that the samplers filter and reorder.
namespace Weft.Inference.Sampling;

/// <summary>
/// A token id with its (possibly penalised or scaled) logit and, once a sampler has computed it,
/// its probability within the current candidate set.
/// </summary>
public record struct TokenCandidate(int Id, float Logit, double Probability);
