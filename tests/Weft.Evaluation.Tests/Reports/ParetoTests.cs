// The frontier on points where it is known by construction, and against a brute-force check on random points.
using Weft.Evaluation.Reports;

namespace Weft.Evaluation.Tests.Reports;

public sealed class ParetoTests
{
    private static ChartPoint P(double x, double y) => new(x, y, $"{x},{y}");

    [Fact]
    public void Cheaper_and_better_points_form_the_frontier()
    {
        // lower X better: (1, .5) (2, .7) (4, .9) form a staircase; (3, .6) and (5, .9) are beaten
        var points = new[] { P(3, .6), P(1, .5), P(5, .9), P(4, .9), P(2, .7) };
        Assert.Equal([1, 4, 3], Pareto.Frontier(points, xHigherIsBetter: false));
    }

    [Fact]
    public void Faster_and_better_points_form_the_frontier()
    {
        var points = new[] { P(10, .9), P(20, .8), P(15, .7), P(30, .5), P(5, .9) };
        Assert.Equal([0, 1, 3], Pareto.Frontier(points, xHigherIsBetter: true));
    }

    [Fact]
    public void Equal_points_are_all_on_it_and_non_finite_ones_never()
    {
        var points = new[] { P(1, 1), P(1, 1), P(double.NaN, 5), P(2, double.PositiveInfinity), P(0.5, 0.5) };
        Assert.Equal([4, 0, 1], Pareto.Frontier(points, xHigherIsBetter: false));
        Assert.Empty(Pareto.Frontier([], true));
    }

    [Fact]
    public void Agrees_with_brute_force_on_random_points()
    {
        var rng = new Random(1234);
        for (int trial = 0; trial < 300; trial++)
        {
            int n = rng.Next(0, 25);
            // few distinct values, so ties on one axis and equal points are common
            var points = Enumerable.Range(0, n).Select(_ => P(rng.Next(0, 6), rng.Next(0, 6) / 5.0)).ToArray();
            bool xHigh = rng.Next(2) == 0, yHigh = rng.Next(2) == 0;
            var expected = Enumerable.Range(0, n).Where(i => !Enumerable.Range(0, n).Any(j => Dominates(points[j], points[i], xHigh, yHigh))).ToHashSet();
            var actual = Pareto.Frontier(points, xHigh, yHigh);
            Assert.Equal(actual.Count, actual.Distinct().Count());
            Assert.True(expected.SetEquals(actual), $"trial {trial}");
            Assert.Equal(actual.Select(i => points[i].X).Order(), actual.Select(i => points[i].X));
        }
    }

    private static bool Dominates(ChartPoint a, ChartPoint b, bool xHigh, bool yHigh)
    {
        double ax = xHigh ? a.X : -a.X, bx = xHigh ? b.X : -b.X, ay = yHigh ? a.Y : -a.Y, by = yHigh ? b.Y : -b.Y;
        return ax >= bx && ay >= by && (ax > bx || ay > by);
    }
}
