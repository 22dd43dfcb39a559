// The chart is well-formed SVG with one circle per drawable point, the frontier marked.
using System.Xml.Linq;
using Weft.Evaluation.Reports;

namespace Weft.Evaluation.Tests.Reports;

public sealed class SvgChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Is_well_formed_with_one_circle_per_point(bool log)
    {
        var points = new[] { new ChartPoint(1e6, 0.4, "a <q4>"), new ChartPoint(5e6, 0.6, "b & c"), new ChartPoint(2e7, 0.5, "d") };
        var doc = XDocument.Parse(SvgChart.Render(new ChartSpec("Quality vs size", "bytes", "quality", points, XHigherIsBetter: false, LogX: log)));
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        var circles = doc.Descendants(Svg + "circle").ToList();
        Assert.Equal(3, circles.Count);
        // a and b are on the frontier (smaller, or better); d is beaten by b
        Assert.Equal(2, circles.Count(c => ((string?)c.Attribute("class"))!.Contains("frontier")));
        Assert.Single(doc.Descendants(Svg + "path"), p => (string?)p.Attribute("class") == "frontier");
        var labels = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("a <q4>", labels);
        Assert.Contains("b & c", labels);
        Assert.True(doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "ticks").Elements(Svg + "text").Count() >= 4);
    }

    [Fact]
    public void Points_that_cannot_be_placed_are_left_out()
    {
        var points = new[] { new ChartPoint(0, 0.4, "zero"), new ChartPoint(double.NaN, 0.6, "nan"), new ChartPoint(3, 0.5, "ok") };
        var doc = XDocument.Parse(SvgChart.Render(new ChartSpec("t", "x", "y", points, XHigherIsBetter: false, LogX: true)));
        Assert.Single(doc.Descendants(Svg + "circle"));
        var empty = XDocument.Parse(SvgChart.Render(new ChartSpec("t", "x", "y", [], true)));
        Assert.Empty(empty.Descendants(Svg + "circle"));
    }

    [Fact]
    public void Circles_lie_inside_the_view_box()
    {
        var rng = new Random(7);
        var points = Enumerable.Range(0, 20).Select(i => new ChartPoint(rng.NextDouble() * 1000 + 1, rng.NextDouble(), $"p{i}")).ToArray();
        var doc = XDocument.Parse(SvgChart.Render(new ChartSpec("t", "x", "y", points, true, LogX: true)));
        var box = ((string)doc.Root!.Attribute("viewBox")!).Split(' ').Select(double.Parse).ToArray();
        foreach (var c in doc.Descendants(Svg + "circle"))
        {
            double cx = (double)c.Attribute("cx")!, cy = (double)c.Attribute("cy")!;
            Assert.InRange(cx, 0, box[2]);
            Assert.InRange(cy, 0, box[3]);
        }
    }
}
