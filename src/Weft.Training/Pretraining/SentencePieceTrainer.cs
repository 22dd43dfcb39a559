// Learns a SentencePiece-style BPE vocabulary ("llama" tokenizer model in GGUF terms) from text: spaces become ▁,
// no ▁ is added at the start of a text, words (a ▁ and what follows up to the next space) are split where letters
// meet other characters, and the most
// frequent adjacent pair inside a word is merged until the vocabulary is full. A merged piece gets the score −(its
// merge index), so the SentencePiece tokenizer (which joins the highest-scored adjacent pair first) replays the merges
// in the order they were learned. Byte tokens <0x00>…<0xFF> cover every character that is not a piece.
using System.Text;
using Weft.Tokenizers;

namespace Weft.Training.Pretraining;

public static class SentencePieceTrainer
{
    public const string Space = "\u2581";
    public const int Unknown = 0, Bos = 1, Eos = 2;
    private const int FirstByte = 3, ByteCount = 256;

    /// <param name="vocabSize">total tokens: 3 control tokens, 256 bytes, the characters seen, then merges.</param>
    /// <param name="minCharCount">characters seen fewer times than this are left to the byte tokens.</param>
    public static VocabularySpec Train(string text, int vocabSize, int minCharCount = 2)
    {
        var words = CountWords(text);
        var chars = new Dictionary<string, long>();
        foreach (var (word, count) in words)
            foreach (var c in Characters(word)) chars[c] = chars.GetValueOrDefault(c) + count;

        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var scores = new List<float> { 0, 0, 0 };
        var types = new List<int> { (int)TokenType.Unknown, (int)TokenType.Control, (int)TokenType.Control };
        for (int b = 0; b < ByteCount; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            scores.Add(0);
            types.Add((int)TokenType.Byte);
        }
        int fixedCount = tokens.Count;
        foreach (var (c, _) in chars.Where(kv => kv.Value >= minCharCount).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            tokens.Add(c);
            scores.Add(0);
            types.Add((int)TokenType.Normal);
        }
        if (tokens.Count > vocabSize)
            throw new ArgumentException($"a vocabulary of {vocabSize} tokens cannot hold the {tokens.Count - fixedCount} characters of the text and {fixedCount} fixed tokens");

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = fixedCount; i < tokens.Count; i++) index[tokens[i]] = i;
        // Each distinct word as a sequence of piece ids (-1 for a character left to the byte tokens: never merged).
        var seqs = new List<int[]>();
        var counts = new List<long>();
        foreach (var (word, count) in words)
        {
            seqs.Add(Characters(word).Select(c => index.TryGetValue(c, out int id) ? id : -1).ToArray());
            counts.Add(count);
        }

        int merge = 0;
        while (tokens.Count < vocabSize)
        {
            var pairs = new Dictionary<(int, int), long>();
            for (int w = 0; w < seqs.Count; w++)
            {
                var s = seqs[w];
                for (int i = 0; i + 1 < s.Length; i++)
                {
                    if (s[i] < 0 || s[i + 1] < 0) continue;
                    var key = (s[i], s[i + 1]);
                    pairs[key] = pairs.GetValueOrDefault(key) + counts[w];
                }
            }
            (int, int) best = default;
            long bestCount = 0;
            string bestText = "";
            foreach (var (key, count) in pairs)
            {
                if (count < bestCount) continue;
                string joined = tokens[key.Item1] + tokens[key.Item2];
                if (index.ContainsKey(joined)) continue;
                // Ties go to the ordinally smaller piece so the result does not depend on dictionary order.
                if (count > bestCount || string.CompareOrdinal(joined, bestText) < 0)
                {
                    best = key;
                    bestCount = count;
                    bestText = joined;
                }
            }
            if (bestCount < 2) break;
            int id = tokens.Count;
            tokens.Add(bestText);
            scores.Add(-++merge);
            types.Add((int)TokenType.Normal);
            index[bestText] = id;
            for (int w = 0; w < seqs.Count; w++) seqs[w] = Merge(seqs[w], best.Item1, best.Item2, id);
        }
        return new VocabularySpec
        {
            Model = "llama",
            Tokens = tokens.ToArray(),
            Scores = scores.ToArray(),
            TokenTypes = types.ToArray(),
            BosId = Bos,
            EosId = Eos,
            UnkId = Unknown,
            AddBos = true,
            AddEos = false,
            AddSpacePrefix = false,
        };
    }

    private static int[] Merge(int[] s, int a, int b, int id)
    {
        int found = -1;
        for (int i = 0; i + 1 < s.Length; i++) if (s[i] == a && s[i + 1] == b) { found = i; break; }
        if (found < 0) return s;
        var r = new List<int>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (i + 1 < s.Length && s[i] == a && s[i + 1] == b) { r.Add(id); i++; }
            else r.Add(s[i]);
        }
        return r.ToArray();
    }

    /// <summary>Distinct words with their counts, in first-seen order: "▁word", punctuation runs, line breaks.</summary>
    internal static List<(string Word, long Count)> CountWords(string text)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            // Spaces become ▁ as the tokenizer sees them; no ▁ is added before a line (add_space_prefix is off).
            string s = line.Replace(" ", Space, StringComparison.Ordinal);
            int start = 0;
            for (int i = 1; i <= s.Length && s.Length > 0; i++)
            {
                if (i < s.Length && !Boundary(s, i)) continue;
                Add(s[start..i]);
                start = i;
            }
            Add("\n");
        }
        return order.Select(w => (w, counts[w])).ToList();

        void Add(string w)
        {
            if (w.Length == 0) return;
            if (counts.TryGetValue(w, out long c)) counts[w] = c + 1;
            else { counts[w] = 1; order.Add(w); }
        }
    }

    private static bool Boundary(string s, int i)
    {
        if (s[i] == Space[0]) return true;
        if (char.IsLowSurrogate(s[i])) return false;
        bool prev = char.IsLetter(s[i - 1]) || s[i - 1] == Space[0], cur = char.IsLetter(s[i]);
        return prev != cur;
    }

    private static IEnumerable<string> Characters(string word)
    {
        for (int i = 0; i < word.Length;)
        {
            int len = char.IsHighSurrogate(word[i]) && i + 1 < word.Length ? 2 : 1;
            yield return word.Substring(i, len);
            i += len;
        }
    }
}
