// [^\n]+|[\n]+ : runs of newlines and runs of everything else (Gemma 4, whose BPE then merges across spaces).
namespace Weft.Tokenizers.PreTokenizers;

internal sealed class NewlineSplitter : ISplitter
{
    public static readonly NewlineSplitter Instance = new();

    public void Split(SplitInput input, int start, int end, List<int> lengths)
    {
        int[] cps = input.Codepoints;
        int pos = start;
        while (pos < end)
        {
            bool newline = cps[pos] == '\n';
            int runStart = pos;
            while (pos < end && (cps[pos] == '\n') == newline) pos++;
            lengths.Add(pos - runStart);
        }
    }
}
