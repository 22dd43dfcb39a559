// An independent, naive float64 forward pass of the llama architecture (plain llama layout only), for checks the oracle cannot make
// (sliding windows, which llama.cpp ignores for this family) and for per-op confidence.
using Weft.Models;
using Weft.Tensors.Kernels;

namespace Weft.TestKit;

public static class ReferenceForward
{
    /// <summary>Logits of every position, computed one token at a time in float64 from dequantized weights.</summary>
    public static float[] Logits(string path, IReadOnlyList<int> ids)
    {
        using var model = Model.Load(path);
        var c = model.Config;
        var w = model.Weights;
        int d = c.EmbeddingLength, hd = c.HeadDim, heads = c.HeadCount, kvHeads = c.KvHeadCount;
        var keys = new List<double[]>[c.LayerCount];
        var values = new List<double[]>[c.LayerCount];
        for (int l = 0; l < c.LayerCount; l++) { keys[l] = new(); values[l] = new(); }
        var logits = new float[ids.Count * c.VocabSize];
        for (int pos = 0; pos < ids.Count; pos++)
        {
            var x = Row(w.TokenEmbedding, ids[pos]);
            for (int l = 0; l < c.LayerCount; l++)
            {
                var lw = w.Layers[l];
                var xn = RmsNorm(x, lw.AttnNorm!.Weight!, c.NormEpsilon);
                var q = MatVec(lw.Q, xn);
                var k = MatVec(lw.K, xn);
                var v = MatVec(lw.V, xn);
                Rotate(q, heads, hd, pos, c);
                Rotate(k, kvHeads, hd, pos, c);
                keys[l].Add(k);
                values[l].Add(v);
                var att = new double[heads * hd];
                int first = c.SlidingWindow > 0 ? Math.Max(0, pos - c.SlidingWindow + 1) : 0;
                for (int h = 0; h < heads; h++)
                {
                    int g = h / (heads / kvHeads);
                    var s = new double[pos - first + 1];
                    for (int j = first; j <= pos; j++)
                    {
                        double dot = 0;
                        for (int i = 0; i < hd; i++) dot += q[h * hd + i] * keys[l][j][g * hd + i];
                        s[j - first] = dot * c.AttentionScale;
                    }
                    double max = s.Max(), sum = s.Sum(z => Math.Exp(z - max));
                    for (int j = first; j <= pos; j++)
                    {
                        double p = Math.Exp(s[j - first] - max) / sum;
                        for (int i = 0; i < hd; i++) att[h * hd + i] += p * values[l][j][g * hd + i];
                    }
                }
                Add(x, MatVec(lw.O, att));
                xn = RmsNorm(x, lw.FfnNorm!.Weight!, c.NormEpsilon);
                var gate = MatVec(lw.Gate, xn);
                var up = MatVec(lw.Up, xn);
                for (int i = 0; i < gate.Length; i++) gate[i] = gate[i] / (1 + Math.Exp(-gate[i])) * up[i];
                Add(x, MatVec(lw.Down, gate));
            }
            var outRow = MatVec(w.Output, RmsNorm(x, w.OutputNorm.Weight!, c.NormEpsilon));
            for (int i = 0; i < outRow.Length; i++) logits[pos * c.VocabSize + i] = (float)outRow[i];
        }
        return logits;
    }

    private static double[] Row(QMatrix m, int r)
    {
        var f = new float[m.Cols];
        m.DequantizeRow(r, f);
        return f.Select(v => (double)v).ToArray();
    }

    private static double[] MatVec(QMatrix m, double[] x)
    {
        var y = new double[m.Rows];
        var row = new float[m.Cols];
        for (int r = 0; r < m.Rows; r++)
        {
            m.DequantizeRow(r, row);
            double s = 0;
            for (int i = 0; i < m.Cols; i++) s += row[i] * x[i];
            y[r] = s;
        }
        return y;
    }

    private static double[] RmsNorm(double[] x, float[] w, float eps)
    {
        double ms = x.Sum(v => v * v) / x.Length;
        double scale = 1 / Math.Sqrt(ms + eps);
        return x.Select((v, i) => v * scale * w[i]).ToArray();
    }

    private static void Add(double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++) x[i] += y[i];
    }

    /// <summary>Adjacent-pair rotation, linear scaling only (the reference does not model YaRN).</summary>
    private static void Rotate(double[] x, int heads, int hd, int pos, ModelConfig c)
    {
        var r = c.Rope;
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < r.Dims / 2; i++)
            {
                double theta = pos * r.FreqScale * Math.Pow(r.FreqBase, -2.0 * i / r.Dims) / (r.FreqFactors?[i] ?? 1f);
                double a = x[h * hd + 2 * i], b = x[h * hd + 2 * i + 1];
                x[h * hd + 2 * i] = a * Math.Cos(theta) - b * Math.Sin(theta);
                x[h * hd + 2 * i + 1] = a * Math.Sin(theta) + b * Math.Cos(theta);
            }
    }
}
