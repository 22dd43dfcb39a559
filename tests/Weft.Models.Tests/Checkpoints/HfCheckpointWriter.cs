// Writes a Hugging Face checkpoint folder from a synthetic GGUF model: the same weights in Hugging Face's names and
// layout (Q/K rows back in rotate-half order, experts apart, Gemma's norms as w - 1, Falcon's QKV grouped per
// key/value head), config.json from the GGUF metadata, a SentencePiece tokenizer.model, in F32, F16 or BF16,
// in one file or sharded. Written independently of the engine's mapping, so the two check each other.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Weft.Formats.Gguf;
using Weft.Formats.Safetensors;
using Weft.Models.Loading;
using Weft.Tensors.Quantization;

namespace Weft.Models.Tests.Checkpoints;

public static class HfCheckpointWriter
{
    public const string ChatTemplate = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}";

    /// <param name="modelType">config.json's model_type (mistral and mixtral are llama files).</param>
    public static void Write(string gguf, string folder, string modelType, SafetensorsDtype dtype = SafetensorsDtype.F32, int shards = 1)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        using var file = GgufFile.Open(gguf);
        string a = file.Get("general.architecture").AsString("a");
        long U(string key, long fallback = 0) => file.TryGet($"{a}.{key}", out var v) ? v.AsInt64(key) : fallback;
        double F(string key, double fallback = 0) => file.TryGet($"{a}.{key}", out var v) ? v.AsDouble(key) : fallback;
        int embd = (int)U("embedding_length"), heads = (int)U("attention.head_count"), kv = (int)U("attention.head_count_kv", heads);
        int hd = (int)U("attention.key_length", embd / heads);
        int experts = (int)U("expert_count");
        bool falcon = a == "falcon";

        var config = new JsonObject
        {
            ["model_type"] = modelType,
            ["hidden_size"] = embd,
            ["num_hidden_layers"] = U("block_count"),
            ["num_attention_heads"] = heads,
            ["vocab_size"] = U("vocab_size"),
            ["torch_dtype"] = dtype switch { SafetensorsDtype.F16 => "float16", SafetensorsDtype.BF16 => "bfloat16", _ => "float32" },
        };
        if (falcon)
        {
            config["new_decoder_architecture"] = kv > 1 || file.FindTensor("blk.0.attn_norm_2.weight") != null;
            config["num_kv_heads"] = kv;
            config["ffn_hidden_size"] = U("feed_forward_length");
            config["layer_norm_epsilon"] = F("attention.layer_norm_epsilon");
        }
        else
        {
            config["num_key_value_heads"] = kv;
            config["intermediate_size"] = U("feed_forward_length");
            config["max_position_embeddings"] = U("context_length");
            config["rope_theta"] = F("rope.freq_base", 10000);
            if (a != "olmo") config["rms_norm_eps"] = F("attention.layer_norm_rms_epsilon");
        }
        if (experts > 0)
        {
            config["num_local_experts"] = experts;
            config["num_experts_per_tok"] = U("expert_used_count");
        }
        if (a == "olmo" && F("attention.clamp_kqv") > 0) config["clip_qkv"] = F("attention.clamp_kqv");
        if (a == "gemma2")
        {
            config["head_dim"] = hd;
            config["attn_logit_softcapping"] = F("attn_logit_softcapping", 50);
            config["final_logit_softcapping"] = F("final_logit_softcapping", 30);
            config["sliding_window"] = U("attention.sliding_window", 4096);
        }
        else if (hd != embd / heads) config["head_dim"] = hd;
        config["tie_word_embeddings"] = file.FindTensor("output.weight") == null;
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());

        // Tensors in Hugging Face's names and layout.
        var tensors = new List<(string Name, long[] Shape, float[] Values)>();
        bool rotateHalf = a is "llama" or "olmo";
        foreach (var t in file.Tensors)
        {
            var values = new float[t.Shape.Aggregate(1L, (x, y) => x * y)];
            QuantRegistry.Get(t.Type).Dequantize(file.TensorBytes(t), values);
            long[] shape = t.Shape.Reverse().ToArray();
            string[] parts = t.Name.Split('.');
            bool layer = parts[0] == "blk";
            string role = layer ? parts[2] : parts[0];
            if (rotateHalf && layer && role is "attn_q" or "attn_k")
                values = RotateHalf(values, role == "attn_q" ? heads : kv, (int)(shape.Length == 2 ? shape[1] : 1));
            if (a == "gemma2" && t.Name.EndsWith("norm.weight", StringComparison.Ordinal))
                for (int i = 0; i < values.Length; i++) values[i] -= 1f;
            if (falcon && role == "attn_qkv") values = GroupQkv(values, heads, kv, hd, embd);
            if (role.EndsWith("_exps", StringComparison.Ordinal))
            {
                string w = role switch { "ffn_gate_exps" => "w1", "ffn_down_exps" => "w2", _ => "w3" };
                long per = shape[1] * shape[2];
                for (int e = 0; e < shape[0]; e++)
                    tensors.Add(($"model.layers.{parts[1]}.block_sparse_moe.experts.{e}.{w}.weight", [shape[1], shape[2]],
                        values.AsSpan((int)(e * per), (int)per).ToArray()));
                continue;
            }
            tensors.Add((HfName(a, t.Name, file.FindTensor("blk.0.attn_norm_2.weight") != null), shape, values));
        }

        var writers = Enumerable.Range(0, shards).Select(_ => new SafetensorsWriter().SetMetadata("format", "pt")).ToArray();
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string ShardName(int i) => shards == 1 ? SafetensorsCheckpoint.SingleName : $"model-{i + 1:00000}-of-{shards:00000}.safetensors";
        long total = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var (name, shape, values) = tensors[i];
            var bytes = Encode(values, dtype);
            writers[i % shards].Add(name, dtype, shape, bytes);
            map[name] = ShardName(i % shards);
            total += bytes.Length;
        }
        for (int i = 0; i < shards; i++) writers[i].Write(Path.Combine(folder, ShardName(i)));
        if (shards > 1) File.WriteAllText(Path.Combine(folder, SafetensorsCheckpoint.IndexName), SafetensorsWriter.IndexJson(map, total));

        WriteTokenizer(file, folder);
    }

    /// <summary>GGUF's interleaved rows (2i, 2i + 1) of each head back to Hugging Face's (i, i + d/2).</summary>
    private static float[] RotateHalf(float[] v, int heads, int cols)
    {
        int rows = v.Length / cols, headRows = rows / heads;
        var r = new float[v.Length];
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < headRows / 2; i++)
                for (int b = 0; b < 2; b++)
                    Array.Copy(v, (h * headRows + 2 * i + b) * cols, r, (h * headRows + b * headRows / 2 + i) * cols, cols);
        return r;
    }

    /// <summary>q rows, k rows, v rows → per key/value group: its q heads, its k head, its v head.</summary>
    private static float[] GroupQkv(float[] v, int heads, int kv, int hd, int cols)
    {
        var r = new float[v.Length];
        int per = heads / kv, block = hd * cols, o = 0;
        for (int g = 0; g < kv; g++)
        {
            for (int j = 0; j < per; j++, o += block) Array.Copy(v, (g * per + j) * block, r, o, block);
            Array.Copy(v, (heads + g) * block, r, o, block); o += block;
            Array.Copy(v, (heads + kv + g) * block, r, o, block); o += block;
        }
        return r;
    }

    private static string HfName(string a, string gguf, bool falcon40)
    {
        string[] p = gguf.Split('.');
        string kind = p[^1];
        if (p[0] != "blk")
        {
            string g = p[0] switch
            {
                "token_embd" => a == "falcon" ? "transformer.word_embeddings" : "model.embed_tokens",
                "output_norm" => a == "falcon" ? "transformer.ln_f" : "model.norm",
                "output" => "lm_head",
                _ => throw new ArgumentException($"no Hugging Face name for {gguf}"),
            };
            return $"{g}.{kind}";
        }
        string role = p[2];
        string hf = (a, role) switch
        {
            ("falcon", "attn_norm") => falcon40 ? "ln_mlp" : "input_layernorm",
            ("falcon", "attn_norm_2") => "ln_attn",
            ("falcon", "attn_qkv") => "self_attention.query_key_value",
            ("falcon", "attn_output") => "self_attention.dense",
            ("falcon", "ffn_up") => "mlp.dense_h_to_4h",
            ("falcon", "ffn_down") => "mlp.dense_4h_to_h",
            ("phi3", "attn_qkv") => "self_attn.qkv_proj",
            ("phi3", "ffn_up") => "mlp.gate_up_proj",
            ("gemma2", "ffn_norm") => "pre_feedforward_layernorm",
            (_, "attn_norm") => "input_layernorm",
            (_, "attn_q") => "self_attn.q_proj",
            (_, "attn_k") => "self_attn.k_proj",
            (_, "attn_v") => "self_attn.v_proj",
            (_, "attn_output") => "self_attn.o_proj",
            (_, "attn_q_norm") => "self_attn.q_norm",
            (_, "attn_k_norm") => "self_attn.k_norm",
            (_, "post_attention_norm") => "post_attention_layernorm",
            (_, "post_ffw_norm") => "post_feedforward_layernorm",
            (_, "ffn_norm") => "post_attention_layernorm",
            (_, "ffn_gate") => "mlp.gate_proj",
            (_, "ffn_up") => "mlp.up_proj",
            (_, "ffn_down") => "mlp.down_proj",
            (_, "ffn_gate_inp") => "block_sparse_moe.gate",
            _ => throw new ArgumentException($"no Hugging Face name for {gguf}"),
        };
        return $"{(a == "falcon" ? "transformer.h" : "model.layers")}.{p[1]}.{hf}.{kind}";
    }

    public static byte[] Encode(float[] values, SafetensorsDtype dtype)
    {
        int size = SafetensorsDtypes.Size(dtype);
        var bytes = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++)
        {
            var at = bytes.AsSpan(i * size);
            switch (dtype)
            {
                case SafetensorsDtype.F32: BinaryPrimitives.WriteSingleLittleEndian(at, values[i]); break;
                case SafetensorsDtype.F16: BinaryPrimitives.WriteHalfLittleEndian(at, (Half)values[i]); break;
                default:
                    // round to nearest even, as torch rounds to bfloat16
                    uint u = BitConverter.SingleToUInt32Bits(values[i]);
                    u += 0x7FFF + ((u >> 16) & 1);
                    BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)(u >> 16));
                    break;
            }
        }
        return bytes;
    }

    /// <summary>tokenizer.model (SentencePiece BPE) holding the GGUF's pieces, and tokenizer_config.json.</summary>
    private static void WriteTokenizer(GgufFile file, string folder)
    {
        var spec = GgufTokenizerLoader.ReadSpec(file);
        var model = new MemoryStream();
        for (int i = 0; i < spec.Tokens.Length; i++)
        {
            var p = new MemoryStream();
            Bytes(p, 1, Encoding.UTF8.GetBytes(spec.Tokens[i]));
            Raw(p, 2 << 3 | 5);
            p.Write(BitConverter.GetBytes(spec.Scores?[i] ?? 0f));
            Varint(p, 3, spec.TokenTypes?[i] ?? 1);
            Bytes(model, 1, p.ToArray());
        }
        var trainer = new MemoryStream();
        Varint(trainer, 3, 2); // BPE
        Varint(trainer, 35, 1); // byte_fallback
        Varint(trainer, 40, spec.UnkId ?? 0);
        Varint(trainer, 41, spec.BosId ?? 1);
        Varint(trainer, 42, spec.EosId ?? 2);
        Bytes(model, 2, trainer.ToArray());
        File.WriteAllBytes(Path.Combine(folder, "tokenizer.model"), model.ToArray());
        var tc = new JsonObject
        {
            ["add_bos_token"] = spec.AddBos ?? true,
            ["add_eos_token"] = spec.AddEos ?? false,
            ["bos_token"] = spec.Tokens[spec.BosId ?? 1],
            ["eos_token"] = spec.Tokens[spec.EosId ?? 2],
            ["unk_token"] = spec.Tokens[spec.UnkId ?? 0],
            ["chat_template"] = ChatTemplate,
        };
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), tc.ToJsonString());
    }

    private static void Varint(Stream s, int field, long value)
    {
        Raw(s, (ulong)(field << 3));
        Raw(s, unchecked((ulong)value));
    }

    private static void Bytes(Stream s, int field, byte[] data)
    {
        Raw(s, (ulong)(field << 3 | 2));
        Raw(s, (ulong)data.Length);
        s.Write(data);
    }

    private static void Raw(Stream s, ulong v)
    {
        for (; v >= 0x80; v >>= 7) s.WriteByte((byte)(v | 0x80));
        s.WriteByte((byte)v);
    }
}
