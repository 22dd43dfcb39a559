// Writes a seed corpus per target under DIR/<target>/: files made by our own writers, plus, given llama.cpp's source
// folder, its vocabulary files cut down to fuzzing size (seeds for the gguf target).
using System.Text;
using Weft.Fuzz.Targets;
using Weft.Inference.Grammar;
using Weft.Inference.Templates;

namespace Weft.Fuzz.Seeds;

public static class SeedWriter
{
    public static int WriteAll(string dir)
    {
        Write(dir, "gguf", GgufSeeds.Models());
        Write(dir, "lora", [GgufSeeds.Adapter()]);
        Write(dir, "safetensors", SafetensorsSeeds.Files());
        Write(dir, "safetensors-index", [SafetensorsSeeds.Sharded()]);
        Write(dir, "tokenizer-json", TokenizerSeeds.TokenizerJsons());
        Write(dir, "tokenizer-config", TokenizerSeeds.Configs());
        Write(dir, "sentencepiece", [SentencePieceSeeds.Model(byteFallback: false), SentencePieceSeeds.Model(byteFallback: true)]);
        Write(dir, "jinja", BuiltinTemplates.Names.Order(StringComparer.Ordinal).Select(n => Utf8(BuiltinTemplates.Source(n))));
        Write(dir, "gbnf", GrammarSeeds.Gbnf().Select(Utf8));
        Write(dir, "json-schema", GrammarSeeds.Schemas().Select(Utf8));
        Write(dir, "task-file", [Utf8(TaskYaml)]);
        string? llama = Environment.GetEnvironmentVariable("LLAMA_SRC");
        if (llama != null && Directory.Exists(Path.Combine(llama, "models")))
            Write(dir, "gguf", VocabularySeeds.CutDown(Path.Combine(llama, "models")), "vocab");
        return 0;
    }

    /// <summary>A task file of every section (run.sh adds the built-in tasks).</summary>
    private const string TaskYaml = """
        task: demo
        version: "2"
        kind: generate_until
        dataset:
          format: jsonl
          file: demo.jsonl
          split: test
          columns: [q, a]
          options: {delimiter: ","}
        doc_to_text: "Q: {{ question }}\nA:"
        doc_to_target: "{{ answer }}"
        num_fewshot: 2
        generation:
          until: ["\n\n", "Q:"]
          max_tokens: 32
          regex: "([0-9]+)"
        primary: exact_match
        metrics: [exact_match]
        derive_options: {n: "2"}
        context: 512
        """;

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static void Write(string dir, string target, IEnumerable<byte[]> seeds, string prefix = "seed")
    {
        _ = FuzzTargets.Get(target);
        string folder = Path.Combine(dir, target);
        Directory.CreateDirectory(folder);
        int i = 0;
        foreach (var seed in seeds) File.WriteAllBytes(Path.Combine(folder, $"{prefix}-{i++:D2}"), seed);
        Console.WriteLine($"{target}: {i} {prefix} inputs");
    }
}
