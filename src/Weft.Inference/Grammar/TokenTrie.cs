// The vocabulary as a byte trie in preorder (each subtree is a contiguous range), built once per tokenizer and
// cached: masking walks it against the grammar and skips every subtree whose prefix the grammar refuses.
using System.Runtime.CompilerServices;
using Weft.Tokenizers;

namespace Weft.Inference.Grammar;

internal sealed class TokenTrie
{
    private static readonly ConditionalWeakTable<Tokenizer, TokenTrie> s_cache = [];

    /// <summary>[node] 1 + the node's byte count from the root (the root, node 0, is depth 0).</summary>
    public int[] Depth { get; }
    /// <summary>[node] the byte on the edge into the node.</summary>
    public byte[] Bytes { get; }
    /// <summary>[node] the node after the node's subtree.</summary>
    public int[] SubtreeEnd { get; }
    /// <summary>[node] where the node's tokens start in <see cref="Tokens"/>; [node + 1] is where they end.</summary>
    public int[] TokenStart { get; }
    /// <summary>Ids whose text ends at each node, grouped by node.</summary>
    public int[] Tokens { get; }
    public int MaxDepth { get; }
    /// <summary>End-of-generation tokens: never in the trie, allowed where the grammar may end.</summary>
    public int[] EndTokens { get; }
    public int VocabSize { get; }

    public static TokenTrie For(Tokenizer tokenizer) => s_cache.GetValue(tokenizer, t => new TokenTrie(t));

    private TokenTrie(Tokenizer tokenizer)
    {
        VocabSize = tokenizer.VocabSize;
        EndTokens = [.. tokenizer.EogIds.Where(id => (uint)id < (uint)VocabSize).Order()];
        // build with child maps, then lay out in preorder
        var children = new List<SortedList<byte, int>?> { null };
        var ends = new List<List<int>?> { null };
        for (int id = 0; id < VocabSize; id++)
        {
            if (tokenizer.IsEog(id)) continue;
            var piece = tokenizer.Piece(id, renderSpecial: false);
            if (piece.IsEmpty) continue; // control tokens: no text the grammar could match
            int node = 0;
            foreach (byte b in piece)
            {
                var map = children[node] ??= [];
                if (!map.TryGetValue(b, out int child))
                {
                    child = children.Count;
                    children.Add(null);
                    ends.Add(null);
                    map[b] = child;
                }
                node = child;
            }
            (ends[node] ??= []).Add(id);
        }
        int count = children.Count;
        Depth = new int[count];
        Bytes = new byte[count];
        SubtreeEnd = new int[count];
        TokenStart = new int[count + 1];
        var tokens = new List<int>();
        int next = 0;
        int maxDepth = 0;
        // iterative preorder: (old node, byte, depth, new index or -1 before visiting)
        var stack = new Stack<(int Old, byte B, int Depth, int New)>();
        stack.Push((0, 0, 0, -1));
        while (stack.Count > 0)
        {
            var (old, b, depth, assigned) = stack.Pop();
            if (assigned >= 0)
            {
                SubtreeEnd[assigned] = next;
                continue;
            }
            int index = next++;
            Depth[index] = depth;
            Bytes[index] = b;
            maxDepth = Math.Max(maxDepth, depth);
            TokenStart[index] = tokens.Count;
            if (ends[old] is { } here) tokens.AddRange(here);
            stack.Push((old, b, depth, index));
            if (children[old] is { } map)
                for (int i = map.Count - 1; i >= 0; i--) stack.Push((map.Values[i], map.Keys[i], depth + 1, -1));
        }
        TokenStart[count] = tokens.Count;
        Tokens = [.. tokens];
        MaxDepth = maxDepth;
    }

    public int NodeCount => Depth.Length;
}
