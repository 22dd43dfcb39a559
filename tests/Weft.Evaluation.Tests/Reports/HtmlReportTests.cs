// The HTML report is one file naming every model, with three charts and the sorting script inline.
using System.Text.RegularExpressions;
using Weft.Evaluation.Reports;
using Weft.Evaluation.Results;

namespace Weft.Evaluation.Tests.Reports;

public sealed class HtmlReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Writes_index_html_with_every_model_and_three_charts()
    {
        var models = new[] { Samples.Facts("tiny-f16", 4 << 20, 50, 0.5), Samples.Facts("tiny-q4_0", 1 << 20, 120, 0.2), Samples.Facts("remote<x>", null, 30, 2) };
        var runs = models.SelectMany((m, i) => new[] { Samples.Run(m.Model, "kjv-verse-choice", 0.3 + 0.1 * i), Samples.Run(m.Model, "kjv-perplexity", 10 + i, "ppl", false) }).ToList();
        runs.Add(Samples.Run("only-runs", "kjv-verse-choice", 0.1));
        string path = HtmlReport.Write(Path.Combine(_dir, "out"), new EvalReport(models, runs), "KJV");
        Assert.Equal(Path.Combine(_dir, "out", "index.html"), path);
        string html = File.ReadAllText(path);
        foreach (string name in new[] { "tiny-f16", "tiny-q4_0", "remote&lt;x&gt;", "only-runs" }) Assert.Contains(name, html);
        Assert.DoesNotContain("remote<x>", html);
        Assert.Equal(3, Regex.Count(html, "<svg "));
        Assert.Contains("<script>", html);
        Assert.Contains("test machine", html);
        Assert.Contains("id=\"task-kjv-perplexity\"", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("href=\"http", html);
        Assert.Single(Directory.GetFiles(Path.Combine(_dir, "out")));
    }
}
