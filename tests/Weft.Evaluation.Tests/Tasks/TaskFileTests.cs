// Task files: every built-in parses and renders its templates on a document of its format; bad files are named.
using System.Text.Json;
using Weft.Evaluation.Tasks;

namespace Weft.Evaluation.Tests.Tasks;

public sealed class TaskFileTests
{
    public static TheoryData<string> Builtins() => new(BuiltinTasks.Names);

    [Theory]
    [MemberData(nameof(Builtins))]
    public void Every_builtin_task_parses_and_its_templates_compile(string name)
    {
        var task = BuiltinTasks.Resolve(name);
        Assert.Equal(name, task.Name);
        Assert.False(string.IsNullOrEmpty(task.Version));
        _ = new DocTemplates(task);
        Assert.False(string.IsNullOrEmpty(task.PrimaryMetric));
    }

    [Fact]
    public void The_lm_eval_suite_and_the_kjv_tasks_are_built_in()
    {
        foreach (var t in new[] { "hellaswag", "piqa", "arc_easy", "arc_challenge", "mmlu", "winogrande", "truthfulqa_mc1", "wikitext", "kjv-perplexity", "kjv-verse-choice", "perplexity" })
            Assert.Contains(t, BuiltinTasks.Names);
    }

    [Fact]
    public void Builtin_templates_render_a_document_of_their_published_format()
    {
        var cases = new Dictionary<string, string>
        {
            ["arc_easy"] = """{"id":"x","question":{"stem":"Which is a gas?","choices":[{"text":"rock","label":"A"},{"text":"air","label":"B"}]},"answerKey":"B"}""",
            ["mmlu"] = """{"question":"2+2?","subject":"elementary_mathematics","choices":["3","4","5","6"],"answer":1}""",
            ["winogrande"] = """{"sentence":"The cup fell because _ was slippery.","option1":"the cup","option2":"the table","answer":"1"}""",
            ["truthfulqa_mc1"] = """{"question":"Is the earth flat?","mc1_targets":{"choices":["No","Yes"],"labels":[1,0]}}""",
            ["gsm8k"] = """{"question":"What is 2+3?","answer":"2+3=5\n#### 5"}""",
        };
        foreach (var (name, json) in cases)
        {
            var task = BuiltinTasks.Resolve(name);
            var t = new DocTemplates(task);
            using var doc = JsonDocument.Parse(json);
            // Partial scoring (winogrande) puts the context in the choices and scores the continuation.
            string text = task.DocToContinuation == null ? t.Text(doc.RootElement) : t.Continuation(doc.RootElement)!;
            Assert.False(string.IsNullOrWhiteSpace(text), name);
            if (task.Kind == TaskKind.MultipleChoice)
            {
                var choices = t.Choices(doc.RootElement);
                Assert.True(choices.Count >= 2, name);
                var (gold, _) = t.Target(doc.RootElement, choices);
                Assert.InRange(gold, 0, choices.Count - 1);
            }
        }
    }

    [Fact]
    public void An_unknown_field_is_named_with_its_line()
    {
        var e = Assert.Throws<TaskFileException>(() => TaskFile.Parse("task: t\nkind: perplexity\ndataset:\n  format: text\ncolour: red\n", "t.yaml"));
        Assert.Contains("t.yaml:5", e.Message);
    }

    [Fact]
    public void An_unknown_kind_is_refused_with_the_known_ones()
    {
        var e = Assert.Throws<TaskFileException>(() => TaskFile.Parse("task: t\nkind: essay\ndataset:\n  format: text\n", "t.yaml"));
        Assert.Contains("essay", e.Message);
        Assert.Contains("multiple_choice", e.Message);
    }

    [Fact]
    public void A_task_file_path_resolves_like_a_name()
    {
        string path = Path.Combine(Path.GetTempPath(), $"weft-task-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "task: mine\nversion: \"3\"\nkind: multiple_choice\ndataset:\n  format: jsonl\ndoc_to_text: \"{{ q }}\"\ndoc_to_choice: \"[a, b]\"\ndoc_to_target: \"0\"\n");
        try
        {
            var t = BuiltinTasks.Resolve(path);
            Assert.Equal("mine", t.Name);
            Assert.Equal("3", t.Version);
        }
        finally { File.Delete(path); }
    }
}
