// Sorting values in Python's order: a pair that does not order (an int beside an undefined) fails with the template's
// own error, not with the InvalidOperationException that LINQ's sort wraps around a failing comparison.
using System.Runtime.ExceptionServices;

namespace Weft.Inference.Templates;

internal static class SortOrder
{
    public static readonly Comparer<Value> Ascending = Comparer<Value>.Create((x, y) => Ops.Compare(x, y, "<"));

    /// <summary>Runs a sort (enumerates <paramref name="sorted"/>), rethrowing a comparison's own error as it was thrown.</summary>
    public static List<T> Run<T>(IEnumerable<T> sorted)
    {
        try
        {
            return sorted.ToList();
        }
        catch (InvalidOperationException e) when (e.InnerException is RenderError or TemplateException)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
