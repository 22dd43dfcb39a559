// weft logits MODEL --ids 1,2,3 --out FILE: the logits of every position, float32 little-endian [tokens, vocab].
using System.CommandLine;
using System.Runtime.InteropServices;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;

namespace Weft.Cli.Verbs;

internal static class LogitsVerb
{
    public static Command Create()
    {
        var model = Common.ModelArgument();
        var ids = new Option<string>("--ids") { Description = "token ids, comma-separated", Required = true };
        var output = new Option<string>("--out") { Description = "output file", Required = true };
        var threads = Common.ThreadsOption();
        var lora = new LoraFlags();
        var cmd = new Command("logits", "Evaluate token ids as one batch and write the logits of every position") { model, ids, output, threads };
        lora.AddTo(cmd);
        cmd.SetAction(r =>
        {
            var tokens = Common.ParseIds(r.GetValue(ids)!, "--ids");
            using var m = Model.Load(r.GetValue(model)!, lora.Read(r));
            using var pool = new WorkerPool(r.GetValue(threads));
            var session = new DecoderSession(m, pool, contextSize: Math.Max(tokens.Length, 1), maxBatch: tokens.Length);
            var logits = new float[tokens.Length * m.Config.VocabSize];
            session.Evaluate(tokens, logits, allLogits: true);
            AtomicFile.Write(r.GetValue(output)!, s => s.Write(MemoryMarshal.AsBytes(logits.AsSpan())));
            return 0;
        });
        return cmd;
    }
}
