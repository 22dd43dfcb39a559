// The Pareto frontier of a set of points on two axes: the points no other point beats on both.
namespace Weft.Evaluation.Reports;

/// <summary>A point of a trade-off chart.</summary>
public readonly record struct ChartPoint(double X, double Y, string Label);

/// <summary>Frontier of quality against cost, speed or size. A point is on it when no other point is better or equal
/// on both axes and strictly better on one; equal points are all on it. Points with a NaN or infinite coordinate are
/// never on it (and never beat another).</summary>
public static class Pareto
{
    /// <summary>Indices of the frontier points, ordered by X ascending (then Y).</summary>
    /// <param name="xHigherIsBetter">true for tokens/s; false for cost and size.</param>
    /// <param name="yHigherIsBetter">true for accuracy-like quality.</param>
    public static IReadOnlyList<int> Frontier(IReadOnlyList<ChartPoint> points, bool xHigherIsBetter, bool yHigherIsBetter = true)
    {
        // turn both axes into "more is better", then sweep from the best X down, keeping the best Y seen at a strictly
        // better X: a point is beaten when that is >= its Y, or when a point of the same X has a higher Y
        var order = Enumerable.Range(0, points.Count)
            .Where(i => double.IsFinite(points[i].X) && double.IsFinite(points[i].Y))
            .Select(i => (Index: i, X: xHigherIsBetter ? points[i].X : -points[i].X, Y: yHigherIsBetter ? points[i].Y : -points[i].Y))
            .OrderByDescending(p => p.X).ToList();
        var frontier = new List<int>();
        double bestBefore = double.NegativeInfinity;
        for (int start = 0; start < order.Count;)
        {
            int end = start;
            while (end < order.Count && order[end].X == order[start].X) end++;
            double groupBest = double.NegativeInfinity;
            for (int k = start; k < end; k++) groupBest = Math.Max(groupBest, order[k].Y);
            for (int k = start; k < end; k++)
                if (order[k].Y == groupBest && !(bestBefore >= order[k].Y)) frontier.Add(order[k].Index);
            bestBefore = Math.Max(bestBefore, groupBest);
            start = end;
        }
        return frontier.OrderBy(i => points[i].X).ThenBy(i => points[i].Y).ToList();
    }
}
