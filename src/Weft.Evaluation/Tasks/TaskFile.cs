// Reads a task file (YAML). Unknown fields and kinds are errors naming the file, line and field.
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;
using Weft.Evaluation.Data;

namespace Weft.Evaluation.Tasks;

public static class TaskFile
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    public static TaskDefinition Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TaskFileException($"{path}: {e.Message}", e);
        }
        return Parse(text, path);
    }

    public static TaskDefinition Parse(string yaml, string origin)
    {
        Dto dto;
        try
        {
            dto = Yaml.Deserialize<Dto>(yaml) ?? throw new TaskFileException($"{origin}: the file is empty");
        }
        catch (YamlException e)
        {
            throw new TaskFileException($"{origin}:{e.Start.Line}: {Inner(e)}", e);
        }
        catch (ArgumentException e) // YamlDotNet's parser refuses some tags (a global tag that is no URI) this way
        {
            throw new TaskFileException($"{origin}: {e.Message}", e);
        }
        string Need(string? v, string field) => string.IsNullOrWhiteSpace(v) ? throw new TaskFileException($"{origin}: '{field}' is required") : v;
        var kind = Need(dto.Kind, "kind") switch
        {
            "multiple_choice" => TaskKind.MultipleChoice,
            "perplexity" => TaskKind.Perplexity,
            "rolling_perplexity" or "loglikelihood_rolling" => TaskKind.RollingPerplexity,
            "generate_until" => TaskKind.GenerateUntil,
            var k => throw new TaskFileException($"{origin}: unknown kind '{k}' (multiple_choice, perplexity, rolling_perplexity, generate_until)"),
        };
        var ds = dto.Dataset ?? throw new TaskFileException($"{origin}: 'dataset' is required");
        if (kind == TaskKind.MultipleChoice && dto.DocToChoice == null)
            throw new TaskFileException($"{origin}: a multiple_choice task needs 'doc_to_choice'");
        if (kind is TaskKind.MultipleChoice or TaskKind.GenerateUntil && dto.DocToTarget == null)
            throw new TaskFileException($"{origin}: a {dto.Kind} task needs 'doc_to_target'");
        if (dto.NumFewshot < 0) throw new TaskFileException($"{origin}: 'num_fewshot' must not be negative");
        var gen = dto.Generation ?? new GenerationDto();
        return new TaskDefinition
        {
            Name = Need(dto.Task, "task"),
            Version = dto.Version ?? "0",
            Kind = kind,
            Dataset = new DatasetSpec
            {
                Format = Need(ds.Format, "dataset.format"),
                File = ds.File,
                Labels = ds.Labels,
                Columns = ds.Columns,
                Field = ds.Field,
                Url = ds.Url,
                LabelsUrl = ds.LabelsUrl,
                Sha256 = ds.Sha256,
                Split = ds.Split,
                Options = ds.Options ?? [],
            },
            Description = dto.Description,
            DocToText = dto.DocToText ?? "{{ text }}",
            DocToChoice = dto.DocToChoice,
            DocToTarget = dto.DocToTarget,
            DocToContinuation = dto.DocToContinuation,
            TargetDelimiter = dto.TargetDelimiter ?? " ",
            FewshotDelimiter = dto.FewshotDelimiter ?? "\n\n",
            NumFewshot = dto.NumFewshot,
            FewshotSeed = dto.FewshotSeed ?? 1234,
            Derive = dto.Derive,
            DeriveOptions = dto.DeriveOptions ?? [],
            Generation = new GenerationSpec
            {
                Until = gen.Until ?? ["\n\n"],
                MaxTokens = gen.MaxTokens ?? 256,
                Regex = gen.Regex,
                LastMatch = gen.LastMatch,
                IgnoreCase = gen.IgnoreCase,
                IgnorePunctuation = gen.IgnorePunctuation,
            },
            Primary = dto.Primary,
            Context = dto.Context,
            Origin = origin,
        };
    }

    private static string Inner(Exception e)
    {
        while (e.InnerException != null) e = e.InnerException;
        return e.Message;
    }

    // The file's shape; YamlDotNet refuses fields it does not know.
    private sealed class Dto
    {
        public string? Task { get; set; }
        public string? Version { get; set; }
        public string? Kind { get; set; }
        public DatasetDto? Dataset { get; set; }
        public string? Description { get; set; }
        public string? DocToText { get; set; }
        public string? DocToChoice { get; set; }
        public string? DocToTarget { get; set; }
        public string? DocToContinuation { get; set; }
        public string? TargetDelimiter { get; set; }
        public string? FewshotDelimiter { get; set; }
        public int NumFewshot { get; set; }
        public int? FewshotSeed { get; set; }
        public string? Derive { get; set; }
        public Dictionary<string, string>? DeriveOptions { get; set; }
        public GenerationDto? Generation { get; set; }
        public List<string>? Metrics { get; set; }
        public string? Primary { get; set; }
        public int? Context { get; set; }
        public string? Notes { get; set; }
    }

    private sealed class DatasetDto
    {
        public string? Format { get; set; }
        public string? File { get; set; }
        public string? Labels { get; set; }
        public List<string>? Columns { get; set; }
        public string? Field { get; set; }
        public string? Url { get; set; }
        public string? LabelsUrl { get; set; }
        public string? Sha256 { get; set; }
        public string? Split { get; set; }
        public Dictionary<string, string>? Options { get; set; }
    }

    private sealed class GenerationDto
    {
        public List<string>? Until { get; set; }
        public int? MaxTokens { get; set; }
        public string? Regex { get; set; }
        public bool LastMatch { get; set; }
        public bool IgnoreCase { get; set; }
        public bool IgnorePunctuation { get; set; }
    }
}
