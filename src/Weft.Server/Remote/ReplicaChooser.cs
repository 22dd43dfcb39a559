// Picks the member of a model's pool a request goes to (a remote replica, or this server's own copy when the id is
// pooled): among those up and not yet tried, one with free slots when any reports them, then the fewest requests under
// way; ties are broken at random so equal members share the load.
namespace Weft.Server.Remote;

public static class ReplicaChooser
{
    private static readonly Lock Gate = new();

    /// <summary>Chooses and counts the request as under way at once, so requests arriving together spread out
    /// instead of all seeing the same counts.</summary>
    internal static T? Take<T>(IReadOnlyList<T> replicas, IReadOnlyCollection<T> tried) where T : class, IPoolMember
    {
        lock (Gate)
        {
            var chosen = Choose(replicas, tried);
            chosen?.Begin();
            return chosen;
        }
    }

    public static T? Choose<T>(IReadOnlyList<T> replicas, IReadOnlyCollection<T> tried) where T : class, IPoolMember
    {
        T? best = null;
        int bestRank = 0, ties = 0;
        foreach (var r in replicas)
        {
            if (!r.Up || tried.Contains(r)) continue;
            // free slots first: a replica that said it has an idle slot starts at once; then by requests under way
            int rank = (r.FreeSlots is 0 ? 1 << 20 : 0) + r.Outstanding;
            if (best == null || rank < bestRank)
            {
                best = r;
                bestRank = rank;
                ties = 1;
            }
            else if (rank == bestRank && Random.Shared.Next(++ties) == 0)
            {
                best = r; // reservoir choice among equals
            }
        }
        return best;
    }
}
