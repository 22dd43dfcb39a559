// What the replica chooser knows of one member of a model's pool: a remote endpoint, or this server's own copy of the
// model (LocalMember) when a local model and remote replicas share an id.
namespace Weft.Server.Remote;

public interface IPoolMember
{
    string Name { get; }
    bool Up { get; }
    /// <summary>Requests under way there.</summary>
    int Outstanding { get; }
    /// <summary>Idle slots, when the member tells them; null when it does not.</summary>
    int? FreeSlots { get; }
    /// <summary>Counts a request as under way there (called under the chooser's lock).</summary>
    void Begin();
}
