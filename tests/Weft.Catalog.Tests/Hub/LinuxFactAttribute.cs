// A fact that needs a Linux device file; reported as skipped, with the reason, elsewhere.
namespace Weft.Catalog.Tests.Hub;

public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "needs /dev/full (Linux)";
    }
}
