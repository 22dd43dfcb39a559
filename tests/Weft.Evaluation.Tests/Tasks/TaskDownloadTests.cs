// Downloading a task's data from its URL: into the cache once, labels beside it, clear errors (HTTP status, dead host,
// HTML page, wrong digest) that leave nothing under the final name, and offline mode keeping the old error.
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Weft.Catalog.Hub;
using Weft.Evaluation.Data;
using Weft.Evaluation.Tasks;

namespace Weft.Evaluation.Tests.Tasks;

public sealed class TaskDownloadTests : IAsyncLifetime
{
    // Two HellaSwag records in llama.cpp's six-line layout: context, index of the right ending, four endings.
    private static readonly byte[] HellaSwag = Encoding.UTF8.GetBytes("""
        Baking: A woman puts a tray in the oven. she
        2
        sings to the tray.
        throws the oven away.
        closes the oven door.
        paints the kitchen red.
        Running: A man ties his shoes. he
        0
        starts running down the road.
        eats the shoes.
        flies to the moon.
        turns into a tree.

        """.ReplaceLineEndings("\n"));

    private static readonly byte[] Piqa = Encoding.UTF8.GetBytes("""
        {"goal": "Dry wet hands.", "sol1": "Rub them with a towel.", "sol2": "Dip them in a lake."}
        {"goal": "Open a jar.", "sol1": "Shout at the lid.", "sol2": "Twist the lid."}

        """.ReplaceLineEndings("\n"));

    private static readonly byte[] PiqaLabels = "0\n1\n"u8.ToArray();

    private DataServer server = null!;
    private readonly string root = Directory.CreateTempSubdirectory("weft-taskdata-").FullName;
    private string Cache => Path.Combine(root, "cache");
    private string Empty => Directory.CreateDirectory(Path.Combine(root, "empty")).FullName;

    public async Task InitializeAsync()
    {
        server = await DataServer.StartAsync();
        server.Files["/hellaswag_val_full.txt"] = HellaSwag;
        server.Files["/piqa/valid.jsonl"] = Piqa;
        server.Files["/piqa/valid-labels.lst"] = PiqaLabels;
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }

    private TaskDefinition HellaSwagTask(string? path = "/hellaswag_val_full.txt", string? sha256 = null)
    {
        var t = BuiltinTasks.Resolve("hellaswag");
        return t with { Dataset = t.Dataset with { Url = path == null ? null : server.Url + path, Sha256 = sha256 } };
    }

    private DataDownload Download(bool offline = false, List<DownloadProgress>? reports = null, List<string>? log = null) =>
        new() { Folder = Cache, Offline = offline, Progress = reports == null ? null : reports.Add, Log = log == null ? null : log.Add };

    [Fact]
    public void A_missing_file_is_downloaded_into_the_cache_once()
    {
        var reports = new List<DownloadProgress>();
        var log = new List<string>();
        var docs = TaskData.Load(HellaSwagTask(), null, [Empty], Download(reports: reports, log: log));
        Assert.Equal(2, docs.Count);
        Assert.Equal(2, docs[0].GetProperty("label").GetInt32());
        Assert.Equal("closes the oven door.", docs[0].GetProperty("endings")[2].GetString());
        // The task's usual name is hellaswag_val.txt.gz, but the URL serves the plain text: kept without .gz.
        Assert.Equal(HellaSwag, File.ReadAllBytes(Path.Combine(Cache, "hellaswag_val.txt")));
        Assert.Equal(["hellaswag_val.txt"], Directory.GetFiles(Cache).Select(Path.GetFileName));
        Assert.Contains(reports, r => r.Bytes == HellaSwag.Length);
        Assert.Contains(log, l => l.Contains(server.Url + "/hellaswag_val_full.txt", StringComparison.Ordinal));

        var again = TaskData.Load(HellaSwagTask(), null, [Empty], Download());
        Assert.Equal(2, again.Count);
        Assert.Single(server.Requests); // the second load read the cache
    }

    [Fact]
    public void Labels_are_downloaded_beside_the_data()
    {
        var t = BuiltinTasks.Resolve("piqa");
        t = t with { Dataset = t.Dataset with { Url = server.Url + "/piqa/valid.jsonl", LabelsUrl = server.Url + "/piqa/valid-labels.lst" } };
        var docs = TaskData.Load(t, null, [Empty], Download());
        Assert.Equal([0, 1], docs.Select(d => d.GetProperty("label").GetInt32()));
        Assert.Equal(PiqaLabels, File.ReadAllBytes(Path.Combine(Cache, "piqa_valid-labels.lst")));
        Assert.Equal(Piqa, File.ReadAllBytes(Path.Combine(Cache, "piqa_valid.jsonl")));
    }

    [Fact]
    public void The_builtin_piqa_task_names_its_labels_url()
    {
        var piqa = BuiltinTasks.Resolve("piqa").Dataset;
        Assert.NotNull(piqa.LabelsUrl);
        Assert.EndsWith("valid-labels.lst", piqa.LabelsUrl, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(500)]
    public void An_http_error_names_the_url_and_leaves_no_file(int status)
    {
        server.Status = status;
        var e = Assert.Throws<TaskDataException>(() => TaskData.Load(HellaSwagTask(), null, [Empty], Download()));
        Assert.Contains(server.Url + "/hellaswag_val_full.txt", e.Message, StringComparison.Ordinal);
        Assert.Contains(status == 404 ? "not found" : "500", e.Message, StringComparison.Ordinal);
        Assert.Contains("--data", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Cache, "hellaswag_val.txt")));
        Assert.False(File.Exists(Path.Combine(Cache, "hellaswag_val.txt.gz")));
    }

    [Fact]
    public void An_html_page_instead_of_data_is_refused_and_deleted()
    {
        server.AnswerHtml = true;
        var e = Assert.Throws<TaskDataException>(() => TaskData.Load(HellaSwagTask(), null, [Empty], Download()));
        Assert.Contains("HTML", e.Message, StringComparison.Ordinal);
        Assert.Contains(server.Url + "/hellaswag_val_full.txt", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Cache)); // neither the final name nor a partial
    }

    [Fact]
    public void A_wrong_digest_is_refused_and_deleted()
    {
        string wrong = Convert.ToHexStringLower(SHA256.HashData([1, 2, 3]));
        var e = Assert.Throws<TaskDataException>(() => TaskData.Load(HellaSwagTask(sha256: wrong), null, [Empty], Download()));
        Assert.Contains("sha256", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Cache));
        string right = Convert.ToHexStringLower(SHA256.HashData(HellaSwag));
        Assert.Equal(2, TaskData.Load(HellaSwagTask(sha256: right), null, [Empty], Download()).Count);
    }

    [Fact]
    public void A_dead_host_names_the_url()
    {
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); port = ((IPEndPoint)l.LocalEndpoint).Port; } // closed again: nobody listens
        var t = BuiltinTasks.Resolve("hellaswag");
        string url = $"http://127.0.0.1:{port}/hellaswag_val_full.txt";
        t = t with { Dataset = t.Dataset with { Url = url } };
        var e = Assert.Throws<TaskDataException>(() => TaskData.Load(t, null, [Empty], Download()));
        Assert.Contains(url, e.Message, StringComparison.Ordinal);
        Assert.Contains("--offline", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Cache, "hellaswag_val.txt")));
    }

    [Fact]
    public void Offline_gives_the_error_of_a_missing_file()
    {
        var never = Assert.Throws<TaskDataException>(() => TaskData.Load(HellaSwagTask(), null, [Empty]));
        var offline = Assert.Throws<TaskDataException>(() => TaskData.Load(HellaSwagTask(), null, [Empty], Download(offline: true)));
        Assert.Equal(never.Message, offline.Message);
        Assert.Contains("give --data FILE or --data-dir DIR", offline.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void Offline_still_reads_what_was_downloaded_before()
    {
        TaskData.Load(HellaSwagTask(), null, [Empty], Download());
        Assert.Equal(2, TaskData.Load(HellaSwagTask(), null, [Empty], Download(offline: true)).Count);
        Assert.Single(server.Requests);
    }

    [Fact]
    public void An_archive_url_asks_for_the_file_inside_it()
    {
        var t = BuiltinTasks.Resolve("arc_easy");
        t = t with { Dataset = t.Dataset with { Url = server.Url + "/ARC-V1-Feb2018.zip" } };
        var e = Assert.Throws<TaskDataException>(() => TaskData.Load(t, null, [Empty], Download()));
        Assert.Contains("unpack ARC-Easy-Test.jsonl", e.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("hellaswag_val.txt.gz", "https://h/x/hellaswag_val_full.txt", "hellaswag_val.txt")]
    [InlineData("piqa_valid.jsonl.gz", "https://h/piqa/data/valid.jsonl.gz", "piqa_valid.jsonl.gz")]
    [InlineData("test.jsonl", "https://h/data/test.jsonl", "test.jsonl")]
    [InlineData(null, "https://h/data/test-00000-of-00001.parquet", "test-00000-of-00001.parquet")]
    public void The_stored_name_says_what_was_served(string? file, string url, string stored) =>
        Assert.Equal(stored, TaskDownloader.StoredName(file, new Uri(url)));
}
