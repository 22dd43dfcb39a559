// Openness computed from a model folder's own files (the layout models/weft-tiny/ uses): each component checked on disk.
using System.Security.Cryptography;
using System.Text.Json;
using Weft.Catalog.Cards;

namespace Weft.Catalog.Openness;

/// <summary>Checks the files of a local model folder and scores each openness component.</summary>
public static class LocalOpenness
{
    /// <summary>
    /// Scores a folder holding a GGUF file: manifest.json (corpus sha256, re-checked against the text when it is present),
    /// a full-precision GGUF (F32/F16/BF16), eval.json, a Weft training config.json, metrics.jsonl.
    /// </summary>
    public static Scorecard Score(string folder, string? licenseId = null)
    {
        var gguf = Directory.EnumerateFiles(folder, "*.gguf").Order(StringComparer.Ordinal).FirstOrDefault();
        ModelCard? card = gguf == null ? null : GgufCardReader.Read(gguf);
        licenseId ??= card?.License?.Id;
        return new Scorecard([Data(folder), Weights(gguf, card), Eval(folder), Finetune(folder), Metrics(folder)], Scorecard.IsOpenLicense(licenseId));
    }

    private static ComponentScore Data(string folder)
    {
        const string c = "training_data";
        string manifest = Path.Combine(folder, "manifest.json");
        if (!File.Exists(manifest)) return new(c, OpennessStatus.Unknown, null, "no manifest.json");
        string? sha;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(manifest));
            sha = doc.RootElement.TryGetProperty("corpus", out var corpus) && corpus.TryGetProperty("sha256", out var s) ? s.GetString() : null;
        }
        catch (JsonException e)
        {
            throw new CatalogException($"{manifest}:{e.LineNumber + 1}: malformed JSON: {e.Message}", e);
        }
        if (sha == null) return new(c, OpennessStatus.Declared, manifest, "manifest names no corpus sha256");
        string? text = TextPath(folder);
        if (text == null) return new(c, OpennessStatus.Declared, manifest, "the text is not on disk to re-check its sha256");
        string actual;
        using (var fs = File.OpenRead(text)) actual = Convert.ToHexStringLower(SHA256.HashData(fs));
        return string.Equals(actual, sha, StringComparison.OrdinalIgnoreCase)
            ? new(c, OpennessStatus.Verified, text, $"sha256 {sha} matches the manifest")
            : new(c, OpennessStatus.Absent, text, $"sha256 {actual} does not match the manifest's {sha}");
    }

    /// <summary>The training text: config.json's data.path (relative to the folder), else corpus.txt.</summary>
    private static string? TextPath(string folder)
    {
        string config = Path.Combine(folder, "config.json");
        if (File.Exists(config))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(config));
                if (doc.RootElement.TryGetProperty("data", out var d) && d.TryGetProperty("path", out var p) && p.GetString() is { } rel)
                {
                    string full = Path.Combine(folder, rel);
                    if (File.Exists(full)) return full;
                }
            }
            catch (JsonException) { }
        }
        string corpus = Path.Combine(folder, "corpus.txt");
        return File.Exists(corpus) ? corpus : null;
    }

    private static ComponentScore Weights(string? gguf, ModelCard? card)
    {
        const string c = "weights";
        if (gguf == null || card == null) return new(c, OpennessStatus.Absent, null, "no GGUF file");
        return card.WeightType is "F32" or "F16" or "BF16"
            ? new(c, OpennessStatus.Verified, gguf, $"full-precision weights ({card.WeightType})")
            : new(c, OpennessStatus.Declared, gguf, $"only quantized weights here ({card.WeightType ?? "unknown type"})");
    }

    private static ComponentScore Eval(string folder)
    {
        const string c = "eval_code";
        string eval = Path.Combine(folder, "eval.json");
        if (!File.Exists(eval)) return new(c, OpennessStatus.Unknown, null, "no eval.json");
        return JsonObject(eval) ? new(c, OpennessStatus.Verified, eval, "evaluation results written by Weft's evaluator")
            : new(c, OpennessStatus.Absent, eval, "eval.json is not a JSON object");
    }

    private static ComponentScore Finetune(string folder)
    {
        const string c = "finetune_code";
        string config = Path.Combine(folder, "config.json");
        if (!File.Exists(config)) return new(c, OpennessStatus.Unknown, null, "no training config.json");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(config));
            bool weft = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("training", out _) && doc.RootElement.TryGetProperty("model", out _);
            return weft ? new(c, OpennessStatus.Verified, config, "trained by `weft train` with this configuration; Weft's source is the training and fine-tuning code")
                : new(c, OpennessStatus.Unknown, config, "config.json is not a Weft training configuration");
        }
        catch (JsonException)
        {
            return new(c, OpennessStatus.Unknown, config, "config.json is not valid JSON");
        }
    }

    private static ComponentScore Metrics(string folder)
    {
        const string c = "training_metrics";
        string metrics = Path.Combine(folder, "metrics.jsonl");
        if (!File.Exists(metrics)) return new(c, OpennessStatus.Unknown, null, "no metrics.jsonl");
        int steps = 0;
        foreach (var line in File.ReadLines(metrics))
        {
            if (line.Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (!doc.RootElement.TryGetProperty("step", out _) || !doc.RootElement.TryGetProperty("loss", out _))
                    return new(c, OpennessStatus.Absent, metrics, $"line {steps + 1} has no step and loss");
            }
            catch (JsonException)
            {
                return new(c, OpennessStatus.Absent, metrics, $"line {steps + 1} is not JSON");
            }
            steps++;
        }
        return steps > 0 ? new(c, OpennessStatus.Verified, metrics, $"{steps} logged steps") : new(c, OpennessStatus.Absent, metrics, "empty");
    }

    private static bool JsonObject(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
