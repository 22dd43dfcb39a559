// One model's place on the arena leaderboard.
namespace Weft.Evaluation.Arena;

/// <summary>A model's rating on the Elo scale (mean rating 1000) with its 95 % bootstrap interval
/// [<paramref name="Lower"/>, <paramref name="Upper"/>], and its record in the battles the fit used (ties include
/// both_bad votes).</summary>
public sealed record ArenaRating(string Model, double Rating, double Lower, double Upper, int Battles, int Wins, int Ties, int Losses);
