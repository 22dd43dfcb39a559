// weft detokenize MODEL --ids 1,2,3 [--special]: token ids back to text.
using System.CommandLine;

namespace Weft.Cli.Verbs;

internal static class DetokenizeVerb
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "a GGUF model or vocabulary-only file" };
        var ids = new Option<string>("--ids") { Description = "token ids, comma-separated", Required = true };
        var special = new Option<bool>("--special") { Description = "render control tokens such as <s>" };
        var cmd = new Command("detokenize", "Turn token ids back into text") { model, ids, special };
        cmd.SetAction(r =>
        {
            var tokenizer = TokenizeVerb.LoadTokenizer(r.GetValue(model)!);
            var tokens = Common.ParseIds(r.GetValue(ids)!, "--ids");
            foreach (int id in tokens)
                if (id >= tokenizer.VocabSize) throw new UsageException($"--ids: token id {id} is outside the vocabulary (0 to {tokenizer.VocabSize - 1})");
            Console.Out.WriteLine(tokenizer.Decode(tokens, renderSpecial: r.GetValue(special)));
            return 0;
        });
        return cmd;
    }
}
