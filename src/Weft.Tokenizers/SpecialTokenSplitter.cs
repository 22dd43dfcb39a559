// Cuts special-token texts out of the input before the model sees it. Tokens are tried longest first; each cuts
// every plain fragment left so far at all its occurrences, left to right. User-defined tokens are always cut
// out; control and unknown tokens only when special parsing is asked for. A token marked lstrip eats the ASCII
// whitespace before it, one marked rstrip the ASCII whitespace after it.
namespace Weft.Tokenizers;

internal readonly record struct Fragment(int Token, int Offset, int Length)
{
    public bool IsToken => Token >= 0;

    public static Fragment Text(int offset, int length) => new(-1, offset, length);
}

internal static class SpecialTokenSplitter
{
    public static List<Fragment> Split(Vocabulary vocab, string text, bool parseSpecial)
    {
        var fragments = new List<Fragment>();
        if (text.Length == 0) return fragments;
        fragments.Add(Fragment.Text(0, text.Length));

        foreach (int id in vocab.SpecialTokens)
        {
            var attr = vocab.Attributes[id];
            if (!parseSpecial && (attr & (TokenAttributes.Control | TokenAttributes.Unknown)) != 0) continue;
            string special = vocab.Texts[id];
            bool lstrip = (attr & TokenAttributes.LStrip) != 0;
            bool rstrip = (attr & TokenAttributes.RStrip) != 0;

            List<Fragment>? next = null;
            for (int f = 0; f < fragments.Count; f++)
            {
                var frag = fragments[f];
                int first = frag.IsToken ? -1 : text.IndexOf(special, frag.Offset, frag.Length, StringComparison.Ordinal);
                if (first < 0)
                {
                    next?.Add(frag);
                    continue;
                }
                next ??= fragments.GetRange(0, f);

                int offset = frag.Offset, length = frag.Length, match = first;
                while (true)
                {
                    int leftLength = match - offset;
                    if (lstrip)
                        while (leftLength > 0 && IsAsciiSpace(text[offset + leftLength - 1])) leftLength--;
                    if (leftLength > 0) next.Add(Fragment.Text(offset, leftLength));
                    next.Add(new Fragment(id, 0, 0));

                    int rightOffset = match + special.Length;
                    int rightLength = offset + length - rightOffset;
                    if (rightLength <= 0) break;
                    if (rstrip)
                        while (rightLength > 0 && IsAsciiSpace(text[rightOffset])) { rightOffset++; rightLength--; }
                    offset = rightOffset;
                    length = rightLength;
                    match = length > 0 ? text.IndexOf(special, offset, length, StringComparison.Ordinal) : -1;
                    if (match < 0)
                    {
                        if (length > 0) next.Add(Fragment.Text(offset, length));
                        break;
                    }
                }
            }
            if (next != null) fragments = next;
        }
        return fragments;
    }

    // C's isspace in the "C" locale
    private static bool IsAsciiSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
