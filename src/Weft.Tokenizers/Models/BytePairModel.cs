// Byte-pair encoding (tokenizer.ggml.model = "gpt2" or "gemma4"): the pre-tokenizer cuts the text into words;
// inside each word, start from single characters and keep merging the adjacent pair with the lowest merge rank
// (ties: the leftmost pair). GPT-2 style words are byte-mapped first, so every byte is a character; Gemma 4
// words are raw text, and a character that is no token falls back to <0xXX> byte tokens.
using System.Text;
using Weft.Tokenizers.PreTokenizers;

namespace Weft.Tokenizers.Models;

internal static class BytePairModel
{
    private struct Symbol
    {
        public int Start;
        public int Length;
        public int Prev;
        public int Next;
    }

    private readonly record struct Bigram(int Left, int Right, int Rank, string Text);

    private sealed class BigramOrder : IComparer<Bigram>
    {
        public static readonly BigramOrder Instance = new();

        public int Compare(Bigram a, Bigram b) => a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank) : a.Left.CompareTo(b.Left);
    }

    /// <summary>Tokenizes one fragment of plain text (already space-escaped where the vocabulary wants it).</summary>
    public static void Encode(Vocabulary vocab, string text, List<int> output)
    {
        bool byteEncoded = PreTokenizer.ByteEncodes(vocab.Pre);
        foreach (string word in PreTokenizer.Split(text, vocab.Pre))
            EncodeWord(vocab, word, byteEncoded, output);
    }

    private static void EncodeWord(Vocabulary vocab, string word, bool byteEncoded, List<int> output)
    {
        if (word.Length == 0) return;
        var symbols = new List<Symbol>();
        bool whole = vocab.IgnoreMerges
            || (vocab.Pre == PreTokenizerKind.Gemma4 && word.AsSpan().IndexOfAnyExcept('\n') < 0);
        if (whole && vocab.TextToToken(word) != Vocabulary.Null)
            symbols.Add(new Symbol { Start = 0, Length = word.Length, Prev = -1, Next = -1 });
        else
        {
            for (int i = 0; i < word.Length;)
            {
                int len = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
                int index = symbols.Count;
                symbols.Add(new Symbol { Start = i, Length = len, Prev = index - 1, Next = i + len == word.Length ? -1 : index + 1 });
                i += len;
            }
        }

        var queue = new PriorityQueue<Bigram, Bigram>(BigramOrder.Instance);
        void TryAdd(int left, int right)
        {
            if (left < 0 || right < 0) return;
            var l = symbols[left];
            var r = symbols[right];
            string leftText = word.Substring(l.Start, l.Length);
            string rightText = word.Substring(r.Start, r.Length);
            int rank = vocab.MergeRank(leftText, rightText);
            if (rank < 0) return;
            var b = new Bigram(left, right, rank, leftText + rightText);
            queue.Enqueue(b, b);
        }

        for (int i = 1; i < symbols.Count; i++) TryAdd(i - 1, i);

        while (queue.TryDequeue(out var b, out _))
        {
            var left = symbols[b.Left];
            var right = symbols[b.Right];
            if (left.Length == 0 || right.Length == 0) continue;
            // stale unless the two sides still spell the queued pair
            if (left.Length + right.Length != b.Text.Length || right.Start != left.Start + left.Length
                || !word.AsSpan(left.Start, left.Length + right.Length).SequenceEqual(b.Text)) continue;
            left.Length += right.Length;
            left.Next = right.Next;
            right.Length = 0;
            symbols[b.Left] = left;
            symbols[b.Right] = right;
            if (left.Next >= 0)
            {
                var n = symbols[left.Next];
                n.Prev = b.Left;
                symbols[left.Next] = n;
            }
            TryAdd(left.Prev, b.Left);
            TryAdd(b.Left, left.Next);
        }

        foreach (var s in symbols)
        {
            if (s.Length == 0) continue;
            var piece = word.AsSpan(s.Start, s.Length);
            int id = vocab.TextToToken(piece);
            if (id != Vocabulary.Null)
            {
                output.Add(id);
                continue;
            }
            // no token for the symbol: one token per byte where the vocabulary has one, the rest is dropped
            var bytes = Encoding.UTF8.GetBytes(piece.ToArray());
            foreach (byte x in bytes)
            {
                int t = byteEncoded
                    ? (x < 0x80 ? vocab.TextToToken(((char)x).ToString()) : Vocabulary.Null)
                    : vocab.ByteToToken(x);
                if (t != Vocabulary.Null) output.Add(t);
            }
        }
    }
}
