// SplitMix64: the bootstrap's generator, one stream per (seed, round) so rounds run in any order with the same result.
namespace Weft.Evaluation.Arena;

internal struct BootstrapRandom(int seed, int round)
{
    private ulong _state = Mix(((ulong)(uint)seed << 32) ^ (uint)round ^ 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, n) (multiply-shift; the bias is below 2⁻³² for any n a battle count reaches).</summary>
    public int Next(int n) => (int)(((Step() >> 32) * (ulong)n) >> 32);

    private ulong Step()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
