// The --json file: written atomically, read back equal, malformed files named in a clear error.
using Weft.Evaluation.Results;
using Weft.Evaluation.Storage;
using Weft.Evaluation.Tests.Reports;

namespace Weft.Evaluation.Tests.Storage;

public sealed class ResultFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-file-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Writes_then_reads_the_same_report_leaving_no_temporary_file()
    {
        string path = Path.Combine(_dir, "out", "results.json");
        var report = new EvalReport([Samples.Facts("a")], [Samples.Run("a", "piqa", 0.5, stderr: 0.1), Samples.Run("a", "wiki", double.NaN, "ppl", false)]);
        ResultFile.Write(path, report);
        ResultFile.Write(path, report); // over an existing file
        var back = ResultFile.Read(path);
        Assert.Equal(report.Models, back.Models);
        Assert.Equal(0.1, back.Runs[0].Metrics["acc_stderr"]);
        Assert.True(double.IsNaN(back.Runs[1].Metrics["ppl"]));
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("{\"models\":[], \"runs\":[")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("{\"models\":[{\"model\":\"a\"}],\"runs\":[]}")]
    [InlineData("{\"models\":[],\"runs\":[{\"model\":\"a\",\"task\":\"t\",\"task_version\":\"1\",\"primary\":\"acc\",\"higher_is_better\":\"yes\"}]}")]
    public void Malformed_files_raise_an_error_naming_the_file(string text)
    {
        string path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, text);
        var e = Assert.Throws<ResultFileException>(() => ResultFile.Read(path));
        Assert.Contains("bad.json", e.Message);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var e = Assert.Throws<ResultFileException>(() => ResultFile.Read(Path.Combine(_dir, "none.json")));
        Assert.Contains("none.json", e.Message);
    }
}
