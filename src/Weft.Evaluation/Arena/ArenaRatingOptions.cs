// How arena ratings are computed: bootstrap rounds, seed, style control.
namespace Weft.Evaluation.Arena;

/// <summary><see cref="Bootstrap"/>: resampling rounds for the 95 % intervals (fewer than
/// <see cref="MinBootstrap"/> are raised to it); <see cref="Seed"/>: the same seed gives the same intervals;
/// <see cref="StyleControl"/>: fit style covariates beside the models, as Chatbot Arena's style control does.</summary>
public sealed record ArenaRatingOptions
{
    public const int MinBootstrap = 200;

    public int Bootstrap { get; init; } = 1000;

    public int Seed { get; init; } = 42;

    public bool StyleControl { get; init; }
}
