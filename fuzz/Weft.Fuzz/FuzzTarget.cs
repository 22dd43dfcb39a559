// One fuzz target: a name, an entry point taking the input's bytes, and the exception types its parser documents.
namespace Weft.Fuzz;

/// <summary>Anything <see cref="Feed"/> throws that is not one of <see cref="Documented"/> is a finding.</summary>
public sealed record FuzzTarget(string Name, string Parser, Action<byte[]> Feed, Type[] Documented)
{
    /// <summary>Feeds <paramref name="input"/>; a documented error is a normal outcome, anything else escapes.</summary>
    public void Run(byte[] input)
    {
        try
        {
            Feed(input);
        }
        catch (Exception e) when (IsDocumented(e))
        {
        }
    }

    public bool IsDocumented(Exception e) => Array.Exists(Documented, t => t.IsInstanceOfType(e));
}
