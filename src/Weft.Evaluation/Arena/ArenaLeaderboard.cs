// The fitted ratings of every model that took part in a battle.
namespace Weft.Evaluation.Arena;

/// <summary><paramref name="Ratings"/> best first (by rating, then name); <paramref name="Battles"/>: how many battles
/// the fit used (under style control, those with both answers' style features). <paramref name="Settled"/>: at least
/// two models and no two 95 % intervals overlap; false means "not enough votes yet".</summary>
public sealed record ArenaLeaderboard(IReadOnlyList<ArenaRating> Ratings, int Battles, bool StyleControl, bool Settled)
{
    /// <summary>Battles left out because they lack style features (only under style control).</summary>
    public int Skipped { get; init; }

    /// <summary>Under style control, the fitted coefficient of each style covariate ("tokens", "headers",
    /// "list_items", "bold") in Elo points per standard deviation of the normalized difference; a covariate that is
    /// constant over the battles is left out. Empty without style control.</summary>
    public IReadOnlyDictionary<string, double> StyleCoefficients { get; init; } = new Dictionary<string, double>();
}
