// A scatter chart as one standalone <svg>: axes with ticks (linear or log10), one labelled circle per point,
// and the Pareto frontier as a step line through its points, which are marked.
using System.Globalization;
using System.Security;
using System.Text;

namespace Weft.Evaluation.Reports;

/// <summary>What to draw: points, axis titles, which way each axis is better, whether X is on a log scale.</summary>
public sealed record ChartSpec(
    string Title,
    string XLabel,
    string YLabel,
    IReadOnlyList<ChartPoint> Points,
    bool XHigherIsBetter,
    bool LogX = false,
    bool YHigherIsBetter = true);

/// <summary>Draws a <see cref="ChartSpec"/> as SVG text (no script, no external reference).</summary>
public static class SvgChart
{
    private const double Width = 640, Height = 400, Left = 64, Right = 24, Top = 36, Bottom = 52;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(ChartSpec spec)
    {
        // points that cannot be placed (NaN, or ≤ 0 on a log axis) are left out
        var points = spec.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!spec.LogX || p.X > 0)).ToList();
        var frontier = new HashSet<int>(Pareto.Frontier(points, spec.XHigherIsBetter, spec.YHigherIsBetter));
        var xAxis = Axis.For(points.Select(p => p.X), spec.LogX);
        var yAxis = Axis.For(points.Select(p => p.Y), log: false);
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Px(double x) => Left + xAxis.Fraction(x) * plotW;
        double Py(double y) => Top + (1 - yAxis.Fraction(y)) * plotH;

        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {F(Width)} {F(Height)}\" role=\"img\" aria-label=\"{E(spec.Title)}\">");
        sb.Append($"<title>{E(spec.Title)}</title>");
        sb.Append($"<text class=\"chart-title\" x=\"{F(Width / 2)}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{E(spec.Title)}</text>");
        // axes
        sb.Append($"<g class=\"axes\" stroke=\"#888\" fill=\"none\"><line x1=\"{F(Left)}\" y1=\"{F(Top + plotH)}\" x2=\"{F(Left + plotW)}\" y2=\"{F(Top + plotH)}\"/>");
        sb.Append($"<line x1=\"{F(Left)}\" y1=\"{F(Top)}\" x2=\"{F(Left)}\" y2=\"{F(Top + plotH)}\"/></g>");
        sb.Append("<g class=\"ticks\" font-size=\"11\" fill=\"#555\">");
        foreach (double t in xAxis.Ticks)
        {
            double x = Px(t);
            sb.Append($"<line x1=\"{F(x)}\" y1=\"{F(Top + plotH)}\" x2=\"{F(x)}\" y2=\"{F(Top + plotH + 5)}\" stroke=\"#888\"/>");
            sb.Append($"<text x=\"{F(x)}\" y=\"{F(Top + plotH + 18)}\" text-anchor=\"middle\">{E(Tick(t))}</text>");
        }
        foreach (double t in yAxis.Ticks)
        {
            double y = Py(t);
            sb.Append($"<line x1=\"{F(Left - 5)}\" y1=\"{F(y)}\" x2=\"{F(Left)}\" y2=\"{F(y)}\" stroke=\"#888\"/>");
            sb.Append($"<line x1=\"{F(Left)}\" y1=\"{F(y)}\" x2=\"{F(Left + plotW)}\" y2=\"{F(y)}\" stroke=\"#eee\"/>");
            sb.Append($"<text x=\"{F(Left - 8)}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{E(Tick(t))}</text>");
        }
        sb.Append("</g>");
        sb.Append($"<text class=\"x-label\" x=\"{F(Left + plotW / 2)}\" y=\"{F(Height - 10)}\" text-anchor=\"middle\" font-size=\"12\">{E(spec.XLabel + (spec.LogX ? " (log scale)" : ""))}</text>");
        sb.Append($"<text class=\"y-label\" transform=\"translate(16 {F(Top + plotH / 2)}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">{E(spec.YLabel)}</text>");

        // frontier step line: between neighbours, the best Y reachable at that X
        var steps = frontier.OrderBy(i => points[i].X).ToList();
        if (steps.Count > 0)
        {
            var path = new StringBuilder($"M{F(Px(points[steps[0]].X))} {F(Py(points[steps[0]].Y))}");
            for (int k = 1; k < steps.Count; k++)
            {
                var b = points[steps[k]];
                // lower X better: the earlier point's Y holds until the next X; higher X better: the next point's Y holds back to the earlier X
                if (spec.XHigherIsBetter) path.Append($" V{F(Py(b.Y))} H{F(Px(b.X))}");
                else path.Append($" H{F(Px(b.X))} V{F(Py(b.Y))}");
            }
            sb.Append($"<path class=\"frontier\" d=\"{path}\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>");
        }
        // points
        sb.Append("<g class=\"points\" font-size=\"11\">");
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            bool on = frontier.Contains(i);
            double x = Px(p.X), y = Py(p.Y);
            sb.Append($"<circle class=\"{(on ? "point frontier" : "point")}\" cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"{(on ? 6 : 4.5)}\" fill=\"{(on ? "#d62728" : "#1f77b4")}\" stroke=\"{(on ? "#000" : "#fff")}\">");
            sb.Append($"<title>{E($"{p.Label}: {Tick(p.X)}, {Tick(p.Y)}")}</title></circle>");
            sb.Append($"<text class=\"point-label\" x=\"{F(x + 8)}\" y=\"{F(y - 6)}\">{E(p.Label)}</text>");
        }
        sb.Append("</g></svg>");
        return sb.ToString();
    }

    private static string F(double v) => v.ToString("0.##", Inv);

    private static string E(string s) => SecurityElement.Escape(s);

    private static string Tick(double v) => v == 0 ? "0"
        : Math.Abs(v) >= 1e4 || Math.Abs(v) < 1e-3 ? v.ToString("0.##E+0", Inv)
        : v.ToString("0.###", Inv);

    /// <summary>A value range mapped to 0..1, with tick values: 1-2-5 steps (linear) or powers of ten (log).</summary>
    internal sealed record Axis(double Min, double Max, bool Log, IReadOnlyList<double> Ticks)
    {
        public double Fraction(double v)
        {
            double a = Log ? Math.Log10(Min) : Min, b = Log ? Math.Log10(Max) : Max, x = Log ? Math.Log10(v) : v;
            return b > a ? (x - a) / (b - a) : 0.5;
        }

        public static Axis For(IEnumerable<double> values, bool log)
        {
            var list = values.ToList();
            if (list.Count == 0) return log ? new Axis(1, 10, true, [1, 10]) : new Axis(0, 1, false, Linear(0, 1));
            double lo = list.Min(), hi = list.Max();
            if (log)
            {
                double a = Math.Floor(Math.Log10(lo)), b = Math.Ceiling(Math.Log10(hi));
                if (b <= a) b = a + 1;
                var ticks = new List<double>();
                for (double e = a; e <= b; e++) ticks.Add(Math.Pow(10, e));
                return new Axis(Math.Pow(10, a), Math.Pow(10, b), true, ticks);
            }
            if (hi == lo) { double pad = lo == 0 ? 1 : Math.Abs(lo) * 0.1; lo -= pad; hi += pad; }
            double margin = (hi - lo) * 0.08;
            lo -= margin; hi += margin;
            var t = Linear(lo, hi);
            return new Axis(Math.Min(lo, t[0]), Math.Max(hi, t[^1]), false, t);
        }

        private static List<double> Linear(double lo, double hi)
        {
            double raw = (hi - lo) / 5, mag = Math.Pow(10, Math.Floor(Math.Log10(raw))), norm = raw / mag;
            double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
            var ticks = new List<double>();
            for (double v = Math.Floor(lo / step) * step; v <= hi + step * 0.5; v += step) ticks.Add(Math.Round(v / step) * step);
            return ticks;
        }
    }
}
