// weft run MODEL (--prompt TEXT | --prompt-ids 1,2,3) [-n N] [--temp T] [--grammar-file F | --json-schema F] …: generate,
// streaming text (or ids with --ids).
using System.CommandLine;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;

namespace Weft.Cli.Verbs;

internal static class RunVerb
{
    public static Command Create()
    {
        var model = Common.OptionalModelArgument();
        var prompt = new Option<string>("--prompt", "-p") { Description = "prompt text (tokenized with the model's tokenizer, BOS added as the model asks)" };
        var promptIds = new Option<string>("--prompt-ids") { Description = "prompt as token ids, comma-separated" };
        var count = new Option<int>("-n", "--n-predict") { Description = "tokens to generate", DefaultValueFactory = _ => 128 };
        var sampling = new SamplingFlags();
        var lora = new LoraFlags();
        var grammar = new GrammarFlags();
        var ids = new Option<bool>("--ids") { Description = "print only the generated token ids, as one comma-separated line" };
        var stops = new Option<string[]>("--stop") { Description = "stop string (repeatable)", AllowMultipleArgumentsPerToken = false };
        var ignoreEos = new Option<bool>("--ignore-eos") { Description = "keep generating past end-of-generation tokens" };
        var threads = Common.ThreadsOption();
        var ctx = Common.ContextOption();
        var cmd = new Command("run", "Generate text from a prompt") { model, prompt, promptIds, count, ids, stops, ignoreEos, threads, ctx };
        sampling.AddTo(cmd);
        lora.AddTo(cmd);
        grammar.AddTo(cmd);
        cmd.SetAction(r =>
        {
            var constraint = grammar.Read(r);
            if (constraint != null && r.GetValue(ids)) throw new UsageException("--grammar-file and --json-schema constrain text; they do not go with --ids");
            if ((r.GetValue(prompt) == null) == (r.GetValue(promptIds) == null))
                throw new UsageException("give exactly one of --prompt and --prompt-ids");
            int n = r.GetValue(count);
            if (n < 0) throw new UsageException("-n must not be negative");
            using var m = Model.Load(DefaultModel.Resolve(r.GetValue(model)), lora.Read(r));
            var tokenizer = r.GetValue(prompt) != null || !r.GetValue(ids) ? TryTokenizer(m, r.GetValue(prompt) != null) : null;
            int[] input = r.GetValue(prompt) is string text
                ? tokenizer!.Encode(text, addSpecial: true, parseSpecial: false)
                : Common.ParseIds(r.GetValue(promptIds)!, "--prompt-ids");
            if (input.Length == 0) throw new UsageException("the prompt is empty");
            int context = r.GetValue(ctx) > 0 ? r.GetValue(ctx) : Math.Min(m.Config.TrainContextLength, 4096);
            if (input.Length > context)
                throw new ContextOverflowException($"the prompt has {input.Length} tokens but the context holds {context} (set --ctx up to {m.Config.TrainContextLength})");
            using var pool = new WorkerPool(r.GetValue(threads));
            var session = new DecoderSession(m, pool, context);
            var generator = new Generator(session, r.GetValue(ids) ? null : tokenizer);
            var request = new GenerationRequest
            {
                Prompt = input,
                MaxTokens = n,
                Sampling = sampling.Read(r),
                StopStrings = r.GetValue(stops) ?? [],
                StopAtEndOfGeneration = !r.GetValue(ignoreEos) && tokenizer != null,
                Grammar = constraint,
            };
            var stdout = Console.Out;
            var result = generator.Generate(request, (_, piece) =>
            {
                if (!r.GetValue(ids)) { stdout.Write(piece); stdout.Flush(); }
            });
            if (r.GetValue(ids)) stdout.WriteLine(string.Join(",", result.Tokens));
            else
            {
                stdout.WriteLine();
                Console.Error.WriteLine($"[{result.PromptTokens} prompt tokens, {result.PromptTokensPerSecond:F1} tok/s; {result.Tokens.Count} generated, {result.GenerationTokensPerSecond:F1} tok/s; stop: {result.Finish}]");
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>The model's tokenizer; required for text prompts, optional (ids printed raw) otherwise.</summary>
    private static Weft.Tokenizers.Tokenizer? TryTokenizer(Model m, bool required)
    {
        try
        {
            return m.Tokenizer;
        }
        catch (Exception e) when (!required && e is Weft.Formats.ModelFormatException or NotSupportedException)
        {
            Console.Error.WriteLine($"weft: warning: no usable tokenizer ({e.Message}); printing token ids");
            return null;
        }
    }
}

/// <summary>The sampling flags shared by run and chat.</summary>
internal sealed class SamplingFlags
{
    private readonly Option<float> _temp = new("--temp") { Description = "temperature; 0 is greedy", DefaultValueFactory = _ => 0.8f };
    private readonly Option<int> _topK = new("--top-k") { Description = "keep the K most likely tokens (0: off)", DefaultValueFactory = _ => 40 };
    private readonly Option<float> _topP = new("--top-p") { Description = "nucleus sampling mass (1: off)", DefaultValueFactory = _ => 0.95f };
    private readonly Option<float> _minP = new("--min-p") { Description = "drop tokens below P × the top probability (0: off)", DefaultValueFactory = _ => 0.05f };
    private readonly Option<float> _repeat = new("--repeat-penalty") { Description = "penalty for repeated tokens (1: off)", DefaultValueFactory = _ => 1f };
    private readonly Option<float> _frequency = new("--frequency-penalty") { Description = "OpenAI-style frequency penalty" };
    private readonly Option<float> _presence = new("--presence-penalty") { Description = "OpenAI-style presence penalty" };
    private readonly Option<ulong?> _seed = new("--seed", "-s") { Description = "random seed (default: random)" };

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { _temp, _topK, _topP, _minP, _repeat, _frequency, _presence, _seed }) cmd.Options.Add(o);
    }

    public SamplingOptions Read(ParseResult r)
    {
        var options = new SamplingOptions
        {
            Temperature = r.GetValue(_temp),
            TopK = r.GetValue(_topK),
            TopP = r.GetValue(_topP),
            MinP = r.GetValue(_minP),
            RepeatPenalty = r.GetValue(_repeat),
            FrequencyPenalty = r.GetValue(_frequency),
            PresencePenalty = r.GetValue(_presence),
            Seed = r.GetValue(_seed),
        };
        try { options.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return options;
    }
}
