// Cost of a local model's tokens: the machine's price per hour spread over the tokens it produces in that hour.
namespace Weft.Evaluation.Reports;

/// <summary>USD per million tokens.</summary>
public static class Cost
{
    /// <summary>The machine price assumed when none is given: USD 0.10 per hour, about a small cloud VM's on-demand
    /// price (documented in the `weft eval --price-per-hour` help).</summary>
    public const double DefaultPricePerHour = 0.10;

    /// <summary>USD per million tokens at <paramref name="tokensPerSecond"/> on a machine costing
    /// <paramref name="pricePerHour"/>: price / 3600 / tps · 10⁶. Throws on a non-positive speed or negative price.</summary>
    public static double PerMillion(double pricePerHour, double tokensPerSecond)
    {
        if (!(tokensPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(tokensPerSecond), tokensPerSecond, "tokens per second must be positive");
        if (!(pricePerHour >= 0)) throw new ArgumentOutOfRangeException(nameof(pricePerHour), pricePerHour, "the price per hour must not be negative");
        return pricePerHour / 3600.0 / tokensPerSecond * 1e6;
    }

    /// <summary>Blended price, 3:1 input to output as Artificial Analysis weighs it: (3 · input + output) / 4.</summary>
    public static double Blended(double input, double output) => (3 * input + output) / 4;
}
