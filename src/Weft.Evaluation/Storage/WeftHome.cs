// Weft's own folder: $WEFT_HOME when set, else ~/.weft. The results database and the data cache live in it.
namespace Weft.Evaluation.Storage;

public static class WeftHome
{
    /// <summary>$WEFT_HOME, or ~/.weft when it is unset or blank.</summary>
    public static string Folder
    {
        get
        {
            string? home = Environment.GetEnvironmentVariable("WEFT_HOME");
            return string.IsNullOrWhiteSpace(home)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".weft")
                : home;
        }
    }

    /// <summary>Where task data is looked for and downloaded to: &lt;home&gt;/data.</summary>
    public static string DataFolder => Path.Combine(Folder, "data");
}
