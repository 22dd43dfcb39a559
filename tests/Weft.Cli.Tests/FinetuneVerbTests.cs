// `weft finetune` writes an adapter llama.cpp loads and that changes its logits; bad data is a user error with a line.
using System.Globalization;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Cli.Tests;

public class FinetuneVerbTests
{
    private static readonly SyntheticModelSpec Spec = new() { Name = "cli-finetune", Embedding = 32, Heads = 4, KvHeads = 2, FeedForward = 64, Vocab = 300, Seed = 3 };

    [Fact]
    public void WritesAnAdapterLlamaCppApplies()
    {
        string model = TinyModels.Write(Spec);
        string dir = Directory.CreateTempSubdirectory("weft-finetune-").FullName;
        try
        {
            string data = Path.Combine(dir, "train.jsonl");
            File.WriteAllText(data, "{\"prompt\": \"blick ->\", \"completion\": \"zorp\"}\n{\"prompt\": \"fenta ->\", \"completion\": \"quib\"}\n");
            string adapter = Path.Combine(dir, "adapter.gguf");
            var r = WeftProcess.Run("finetune", model, "--data", data, "--targets", "q,v,down", "--rank", "4", "--epochs", "3", "--lr", "0.01", "-t", "1", "--out", adapter);
            Assert.True(r.Exit == 0, r.Stderr);
            Assert.Contains("step 3/3", r.Stderr);
            Assert.Contains("tok/s", r.Stderr);
            Assert.Contains("ETA", r.Stderr);
            Assert.Empty(Directory.GetFiles(dir, "*.tmp*"));

            var ids = TinyModels.RandomPrompt(Spec.Vocab, 6, seed: 2).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            string plain = Path.Combine(dir, "plain.f32"), adapted = Path.Combine(dir, "adapted.f32");
            var a = Oracle.Run(["logits", model, .. ids, "--out", plain]);
            var b = Oracle.Run(["logits", model, .. ids, "--out", adapted, "--lora", adapter]);
            Assert.True(a.Exit == 0 && b.Exit == 0, a.Stderr + b.Stderr);
            Assert.NotEqual(File.ReadAllBytes(plain), File.ReadAllBytes(adapted));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MalformedDataNamesTheLine()
    {
        string model = TinyModels.Write(Spec);
        string data = Path.Combine(Path.GetTempPath(), $"weft-bad-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(data, "{\"prompt\": \"a\", \"completion\": \"b\"}\n{\"prompt\": 3, \"completion\": \"b\"}\n");
        try
        {
            WeftProcess.AssertUserError(WeftProcess.Run("finetune", model, "--data", data, "--out", data + ".gguf"), ".jsonl:2: \"prompt\" must be a string");
            Assert.False(File.Exists(data + ".gguf"));
        }
        finally
        {
            File.Delete(data);
        }
    }

    [Fact]
    public void TrainsOnChatRowsAndReportsBadOnesWithTheirLine()
    {
        string model = TinyModels.Write(Spec);
        string dir = Directory.CreateTempSubdirectory("weft-finetune-chat-").FullName;
        try
        {
            string data = Path.Combine(dir, "chat.jsonl");
            File.WriteAllText(data, """
                {"messages": [{"role": "user", "content": "blick?"}, {"role": "assistant", "content": "zorp"}]}
                {"messages": [{"role": "system", "content": "terse"}, {"role": "user", "content": "fenta?"}, {"role": "assistant", "content": "quib"}]}
                """);
            string adapter = Path.Combine(dir, "adapter.gguf");
            var r = WeftProcess.Run("finetune", model, "--data", data, "--template", "chatml", "--rank", "2", "--epochs", "1", "-t", "1", "--out", adapter);
            Assert.True(r.Exit == 0, r.Stderr);
            Assert.Contains("# 2 examples", r.Stderr);
            Assert.True(File.Exists(adapter));

            File.AppendAllText(data, "\n{\"messages\": [{\"role\": \"user\", \"content\": \"no answer\"}]}\n");
            WeftProcess.AssertUserError(WeftProcess.Run("finetune", model, "--data", data, "--out", adapter + "2"), "chat.jsonl:3: no assistant message");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
