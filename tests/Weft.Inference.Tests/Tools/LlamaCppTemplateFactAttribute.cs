// A theory over llama.cpp's template files (models/templates under LLAMA_SRC); reported as skipped, with the reason, when they are missing.
using Weft.TestKit;

namespace Weft.Inference.Tests.Tools;

public sealed class LlamaCppTemplateTheoryAttribute : TheoryAttribute
{
    public LlamaCppTemplateTheoryAttribute()
    {
        if (!Directory.Exists(LlamaCppTemplates.Folder))
            Skip = $"llama.cpp's template files are not at {LlamaCppTemplates.Folder} (set LLAMA_SRC, or run ../shared/refharness/setup.sh)";
    }
}

public static class LlamaCppTemplates
{
    public static string Folder => Path.Combine(Oracle.LlamaSource, "models", "templates");

    public static string Read(string file) => File.ReadAllText(Path.Combine(Folder, file));
}

public sealed class LlamaCppTemplateFactAttribute : FactAttribute
{
    public LlamaCppTemplateFactAttribute()
    {
        if (!Directory.Exists(LlamaCppTemplates.Folder))
            Skip = $"llama.cpp's template files are not at {LlamaCppTemplates.Folder} (set LLAMA_SRC, or run ../shared/refharness/setup.sh)";
    }
}
