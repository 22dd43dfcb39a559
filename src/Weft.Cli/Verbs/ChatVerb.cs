// weft chat MODEL: a terminal conversation with the model's own chat template; each answer streams as it is generated.
using System.CommandLine;
using Weft.Inference.Chat;
using Weft.Inference.Generation;
using Weft.Inference.Templates;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;

namespace Weft.Cli.Verbs;

internal static class ChatVerb
{
    public static Command Create()
    {
        var model = Common.OptionalModelArgument();
        var system = new Option<string?>("--system") { Description = "a system prompt for the conversation" };
        var template = new Option<string?>("--template") { Description = "a built-in template name or a Jinja file (default: the model's own, else chatml)" };
        var count = new Option<int>("-n", "--n-predict") { Description = "most tokens per answer", DefaultValueFactory = _ => 512 };
        var sampling = new SamplingFlags();
        var lora = new LoraFlags();
        var grammar = new GrammarFlags();
        var threads = Common.ThreadsOption();
        var ctx = Common.ContextOption();
        var cmd = new Command("chat", "Chat with a model in the terminal (/reset starts over, /exit quits)") { model, system, template, count, threads, ctx };
        sampling.AddTo(cmd);
        lora.AddTo(cmd);
        grammar.AddTo(cmd);
        cmd.SetAction(r =>
        {
            var constraint = grammar.Read(r); // every answer follows it
            int n = r.GetValue(count);
            if (n < 1) throw new UsageException("-n must be at least 1");
            var options = sampling.Read(r);
            using var m = Model.Load(DefaultModel.Resolve(r.GetValue(model)), lora.Read(r));
            var formatter = ChatFormatter.ForModel(m, r.GetValue(template));
            int context = r.GetValue(ctx) > 0 ? r.GetValue(ctx) : Math.Min(m.Config.TrainContextLength, 4096);
            using var pool = new WorkerPool(r.GetValue(threads));
            var generator = new Generator(new DecoderSession(m, pool, context), formatter.Tokenizer);
            bool interactive = !Console.IsInputRedirected;
            var stdout = Console.Out;
            var messages = new List<ChatMessage>();
            string? systemPrompt = r.GetValue(system);
            void Restart()
            {
                messages.Clear();
                if (!string.IsNullOrEmpty(systemPrompt)) messages.Add(ChatMessage.Text("system", systemPrompt));
            }
            Restart();
            if (interactive)
                Console.Error.WriteLine($"weft chat: {Path.GetFileName(DefaultModel.Resolve(r.GetValue(model)))}, template {formatter.TemplateSource}, context {context}. /reset starts over, /system TEXT sets the system prompt, /exit quits.");
            while (true)
            {
                if (interactive) { stdout.Write("> "); stdout.Flush(); }
                string? line = Console.In.ReadLine();
                if (line == null) break;
                line = line.Trim();
                if (line.Length == 0) continue;
                if (line is "/exit" or "/quit" or "/bye") break;
                if (line == "/reset") { Restart(); generator.Reset(); continue; }
                if (line.StartsWith("/system", StringComparison.Ordinal) && (line.Length == 7 || line[7] == ' '))
                {
                    systemPrompt = line[7..].Trim();
                    Restart();
                    continue;
                }
                messages.Add(ChatMessage.Text("user", line));
                int[] prompt = formatter.Tokens(messages);
                if (prompt.Length >= context)
                {
                    Console.Error.WriteLine($"weft: the conversation has {prompt.Length} tokens and no longer fits the context of {context}; /reset starts over");
                    messages.RemoveAt(messages.Count - 1);
                    continue;
                }
                var result = generator.Generate(new GenerationRequest
                {
                    Prompt = prompt,
                    MaxTokens = Math.Min(n, context - prompt.Length),
                    Sampling = options,
                    StopAtEndOfGeneration = true,
                    Grammar = constraint,
                }, (_, piece) => { stdout.Write(piece); stdout.Flush(); });
                stdout.WriteLine();
                messages.Add(ChatMessage.Text("assistant", result.Text));
                if (interactive)
                    Console.Error.WriteLine($"[{result.Tokens.Count} tokens, {result.GenerationTokensPerSecond:F1} tok/s; prompt {result.PromptTokens} tokens]");
            }
            return 0;
        });
        return cmd;
    }
}
