// Linear warm-up to the peak rate, then a cosine decay to the minimum at the last step.
namespace Weft.Training.Optimization;

public sealed record LearningRateSchedule(double Peak, int WarmupSteps, int TotalSteps, double Minimum = 0)
{
    /// <summary>The rate of update number <paramref name="step"/> (0-based).</summary>
    public double At(int step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        int decaySteps = Math.Max(1, TotalSteps - WarmupSteps - 1);
        double progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        return Minimum + (Peak - Minimum) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    public static LearningRateSchedule Constant(double rate) => new(rate, 0, 1, rate);
}
