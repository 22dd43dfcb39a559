// The one order every sampler agrees on: higher logit first, equal logits by lower token id.
// Being a total order (ids are distinct), it makes selection and sorting deterministic.
namespace Weft.Inference.Sampling;

internal static class CandidateOrdering
{
    private static readonly Comparison<TokenCandidate> s_comparison = Compare;

    /// <summary>True when <paramref name="a"/> comes before <paramref name="b"/>.</summary>
    public static bool Before(in TokenCandidate a, in TokenCandidate b) =>
        a.Logit > b.Logit || (a.Logit == b.Logit && a.Id < b.Id);

    public static int Compare(TokenCandidate a, TokenCandidate b) =>
        Before(a, b) ? -1 : Before(b, a) ? 1 : 0;

    /// <summary>Sorts the whole span into candidate order.</summary>
    public static void Sort(Span<TokenCandidate> items)
    {
        if (items.Length > 1) items.Sort(s_comparison);
    }

    /// <summary>
    /// Rearranges <paramref name="items"/> so that its first <paramref name="m"/> entries are the m first in
    /// candidate order (in no particular order among themselves); the rest follow. Quickselect with a
    /// median-of-three pivot, falling back to a full sort when the partitions stop shrinking.
    /// </summary>
    public static void SelectFirst(Span<TokenCandidate> items, int m)
    {
        if (m <= 0 || m >= items.Length) return;
        int lo = 0, hi = items.Length - 1;
        int budget = 2 * (32 - int.LeadingZeroCount(items.Length)) + 8;
        while (hi > lo)
        {
            if (budget-- == 0)
            {
                Sort(items.Slice(lo, hi - lo + 1));
                return;
            }
            int p = Partition(items, lo, hi);
            if (p == m - 1 || p == m) return;
            if (p > m) hi = p - 1;
            else lo = p + 1;
        }
    }

    // Lomuto partition of items[lo..hi] around the median of three; returns the pivot's final index.
    private static int Partition(Span<TokenCandidate> items, int lo, int hi)
    {
        int mid = lo + ((hi - lo) >> 1);
        if (Before(items[mid], items[lo])) Swap(items, mid, lo);
        if (Before(items[hi], items[lo])) Swap(items, hi, lo);
        if (Before(items[hi], items[mid])) Swap(items, hi, mid);
        // now items[lo] <= items[mid] <= items[hi] in candidate order; use the middle one
        Swap(items, mid, hi);
        TokenCandidate pivot = items[hi];
        int store = lo;
        for (int i = lo; i < hi; i++)
        {
            if (Before(items[i], pivot))
            {
                Swap(items, i, store);
                store++;
            }
        }
        Swap(items, store, hi);
        return store;
    }

    private static void Swap(Span<TokenCandidate> items, int i, int j)
    {
        if (i != j) (items[i], items[j]) = (items[j], items[i]);
    }
}
