// SentencePiece-style tokenization (tokenizer.ggml.model = "llama"): start from single characters and keep
// merging the adjacent pair whose merged text is the highest-scoring token (ties: the leftmost pair), until no
// adjacent pair forms a token. Characters that are no token become their UTF-8 bytes as <0xXX> tokens.
using System.Text;

namespace Weft.Tokenizers.Models;

internal static class SentencePieceModel
{
    private struct Symbol
    {
        public int Start; // in UTF-16 units of the text
        public int Length; // 0 once merged into its left neighbour
        public int Prev;
        public int Next;
    }

    private readonly record struct Bigram(int Left, int Right, float Score, int Size);

    // highest score first; among equal scores the leftmost pair
    private sealed class BigramOrder : IComparer<Bigram>
    {
        public static readonly BigramOrder Instance = new();

        public int Compare(Bigram a, Bigram b)
        {
            if (a.Score > b.Score) return -1;
            if (a.Score < b.Score) return 1;
            return a.Left.CompareTo(b.Left);
        }
    }

    /// <summary>Tokenizes text whose spaces are already U+2581 and appends the ids.</summary>
    public static void Encode(Vocabulary vocab, string text, List<int> output)
    {
        var symbols = new List<Symbol>(text.Length);
        for (int i = 0; i < text.Length;)
        {
            int len = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            int index = symbols.Count;
            symbols.Add(new Symbol { Start = i, Length = len, Prev = index - 1, Next = i + len == text.Length ? -1 : index + 1 });
            i += len;
        }
        if (symbols.Count == 0) return;

        var queue = new PriorityQueue<Bigram, Bigram>(BigramOrder.Instance);
        void TryAdd(int left, int right)
        {
            if (left < 0 || right < 0) return;
            var l = symbols[left];
            int size = l.Length + symbols[right].Length;
            int id = vocab.TextToToken(text.AsSpan(l.Start, size));
            if (id == Vocabulary.Null) return;
            var b = new Bigram(left, right, vocab.Scores[id], size);
            queue.Enqueue(b, b);
        }

        for (int i = 1; i < symbols.Count; i++) TryAdd(i - 1, i);

        while (queue.TryDequeue(out var b, out _))
        {
            var left = symbols[b.Left];
            var right = symbols[b.Right];
            // a pair whose sides changed since it was queued is stale
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != b.Size) continue;
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

        // Every merged symbol is a token by construction; a single character may not be, and then falls back to
        // its bytes.
        Span<byte> utf8 = stackalloc byte[8];
        for (int i = 0; i != -1; i = symbols[i].Next)
        {
            var s = symbols[i];
            var piece = text.AsSpan(s.Start, s.Length);
            int id = vocab.TextToToken(piece);
            if (id != Vocabulary.Null)
            {
                output.Add(id);
                continue;
            }
            int n = Encoding.UTF8.GetBytes(piece, utf8);
            for (int k = 0; k < n; k++)
            {
                int b = vocab.ByteToToken(utf8[k]);
                output.Add(b != Vocabulary.Null ? b : MissingTokenException.Require(vocab.Unk, "UNK"));
            }
        }
    }
}
