// Parses, runs a verb, and turns every failure a user can cause into `weft: error: …` and a non-zero exit.
using System.CommandLine;
using Weft.Formats;
using Weft.Inference.Templates;
using Weft.Models;
using Weft.Training.Data;

namespace Weft.Cli;

public static class CliRunner
{
    public static int Invoke(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) Console.Error.WriteLine($"weft: error: {e.Message}");
            return 2;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"weft: error: {e.Message}");
            return 1;
        }
    }

    public static bool IsUserError(Exception e) => e is ModelFormatException or UnsupportedModelException
        or ContextOverflowException or UsageException or IOException or UnauthorizedAccessException
        or ArgumentException or FormatException or NotSupportedException or TemplateException or TrainingDataException
        or Weft.Training.Pretraining.TrainingConfigException or Weft.Models.Adapters.AdapterException
        or Weft.Evaluation.Tasks.TaskFileException or Weft.Evaluation.Data.TaskDataException
        or Weft.Evaluation.Models.EvalModelException
        or Weft.Evaluation.Storage.ResultFileException
        or Weft.Evaluation.Arena.ArenaVotesException
        or Weft.Catalog.Hub.HubException
        or Weft.Catalog.CatalogException
        or Weft.Inference.Grammar.GrammarException;
}

/// <summary>A command line that parses but asks for something impossible.</summary>
public sealed class UsageException(string message) : Exception(message);
