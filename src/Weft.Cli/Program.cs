// The `weft` command: composes one verb per file.
using System.CommandLine;
using Weft.Cli;
using Weft.Cli.Verbs;

var root = new RootCommand("Weft: run, inspect and quantize open language models on the CPU, in pure C#.");
foreach (var verb in new[]
{
    LogitsVerb.Create(), InspectVerb.Create(), QuantizeVerb.Create(), ConvertVerb.Create(), BenchVerb.Create(), TokenizeVerb.Create(),
    DetokenizeVerb.Create(), RunVerb.Create(), ChatVerb.Create(), CompareVerb.Create(), TemplateVerb.Create(), ServeVerb.Create(), FinetuneVerb.Create(), MergeVerb.Create(),
    TrainVerb.Create(), DemoVerb.Create(),
    EvalVerb.Create(),
    LeaderboardVerb.Create(),
    ArenaVerb.Create(),
    PullVerb.Create(),
    SearchVerb.Create(),
    ModelsVerb.Create(),
    ShowVerb.Create(),
})
{
    root.Subcommands.Add(verb);
}
return CliRunner.Invoke(root, args);
