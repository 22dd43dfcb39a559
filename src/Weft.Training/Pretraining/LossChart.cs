// The loss curve as a standalone SVG: training loss per step (thin) and its running mean, validation loss as points.
using System.Globalization;
using System.Text;

namespace Weft.Training.Pretraining;

public static class LossChart
{
    private const int Width = 720, Height = 420, Left = 64, Right = 20, Top = 36, Bottom = 48;

    public static string Render(IReadOnlyList<MetricsRow> rows, string title)
    {
        var inv = CultureInfo.InvariantCulture;
        var svg = new StringBuilder();
        svg.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(inv, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n");
        if (rows.Count == 0)
        {
            svg.Append("<text x=\"50%\" y=\"50%\" text-anchor=\"middle\">no steps yet</text>\n</svg>\n");
            return svg.ToString();
        }
        int maxStep = Math.Max(1, rows.Max(r => r.Step));
        var values = rows.Select(r => r.Loss).Concat(rows.Where(r => r.ValidationLoss.HasValue).Select(r => r.ValidationLoss!.Value)).ToList();
        double lo = Math.Floor(values.Min()), hi = Math.Ceiling(values.Max());
        if (hi - lo < 1) hi = lo + 1;
        double X(double step) => Left + step / maxStep * (Width - Left - Right);
        double Y(double loss) => Top + (hi - loss) / (hi - lo) * (Height - Top - Bottom);

        // Axes with ticks.
        svg.Append(inv, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n");
        svg.Append(inv, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n");
        for (int i = 0; i <= 5; i++)
        {
            double loss = lo + (hi - lo) * i / 5, y = Y(loss);
            svg.Append(inv, $"<line x1=\"{Left}\" y1=\"{y:F1}\" x2=\"{Width - Right}\" y2=\"{y:F1}\" stroke=\"#eee\"/>");
            svg.Append(inv, $"<text x=\"{Left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{loss:0.##}</text>\n");
            double step = (double)maxStep * i / 5, x = X(step);
            svg.Append(inv, $"<text x=\"{x:F1}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{step:0}</text>\n");
        }
        svg.Append(inv, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 10}\" text-anchor=\"middle\">step</text>\n");
        svg.Append(inv, $"<text x=\"16\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {(Top + Height - Bottom) / 2})\">loss (nats/token)</text>\n");

        svg.Append("<polyline fill=\"none\" stroke=\"#9ecae1\" stroke-width=\"1\" points=\"");
        foreach (var r in rows) svg.Append(inv, $"{X(r.Step):F1},{Y(r.Loss):F1} ");
        svg.Append("\"/>\n");
        int window = Math.Max(1, rows.Count / 50);
        svg.Append("<polyline fill=\"none\" stroke=\"#08519c\" stroke-width=\"2\" points=\"");
        double sum = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            sum += rows[i].Loss;
            if (i >= window) sum -= rows[i - window].Loss;
            int n = Math.Min(i + 1, window);
            svg.Append(inv, $"{X(rows[i].Step):F1},{Y(sum / n):F1} ");
        }
        svg.Append("\"/>\n");
        foreach (var r in rows.Where(r => r.ValidationLoss.HasValue))
            svg.Append(inv, $"<circle cx=\"{X(r.Step):F1}\" cy=\"{Y(r.ValidationLoss!.Value):F1}\" r=\"3.5\" fill=\"#e6550d\"/>\n");

        int lx = Width - Right - 190;
        svg.Append(inv, $"<line x1=\"{lx}\" y1=\"{Top + 10}\" x2=\"{lx + 24}\" y2=\"{Top + 10}\" stroke=\"#08519c\" stroke-width=\"2\"/><text x=\"{lx + 30}\" y=\"{Top + 14}\">training (running mean)</text>\n");
        svg.Append(inv, $"<circle cx=\"{lx + 12}\" cy=\"{Top + 28}\" r=\"3.5\" fill=\"#e6550d\"/><text x=\"{lx + 30}\" y=\"{Top + 32}\">validation</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
