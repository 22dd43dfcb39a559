// Models of an endpoints file (`--endpoints FILE`, else ~/.weft/endpoints.yaml) as targets of `weft eval` and columns
// of `weft compare`: a name that is no file or folder is looked up there as MODEL or ENDPOINT/MODEL and becomes
// openai:URL#MODEL with the endpoint's key (its api_key_env, or none) and price.
using Weft.Evaluation.Running;
using Weft.Server;
using Weft.Server.Remote;

namespace Weft.Cli.Verbs;

internal sealed class EndpointModels(EndpointsConfig config, string file)
{
    /// <summary>The file's models; null when no file was named and the default one is not there.</summary>
    public static EndpointModels? Load(string? path)
    {
        if (path != null && !File.Exists(path)) throw new UsageException($"--endpoints: the file '{path}' does not exist");
        string file = path ?? Path.Combine(ServerOptions.DefaultDataDirectory, "endpoints.yaml");
        if (!File.Exists(file)) return null;
        try
        {
            return new EndpointModels(EndpointsFile.Load(file), file);
        }
        catch (EndpointsFileException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The spec itself when it names a remote URL, a file or a folder, or no model of the file.</summary>
    public ModelSpec Resolve(ModelSpec spec) => Lookup(spec.Source) is var (source, key, price)
        ? new ModelSpec(source, spec.Adapters) { ApiKey = key, Price = price }
        : spec;

    /// <summary>A compare column for a model of the file; null when the name is no model of it.</summary>
    public ColumnSpec? Column(string arg) => Lookup(arg) is var (source, key, _) ? new ColumnSpec(source, []) { ApiKey = key } : null;

    /// <summary>openai:URL#MODEL, the endpoint's key ("" for none) and price; null for a URL, a file, a folder or an unknown name.</summary>
    private (string Source, string ApiKey, (double Input, double Output)? Price)? Lookup(string name)
    {
        if (name.StartsWith(ModelSpec.RemotePrefix, StringComparison.OrdinalIgnoreCase) || File.Exists(name) || Directory.Exists(name)) return null;
        if (Find(name) is not var (endpoint, model)) return null;
        return ($"{ModelSpec.RemotePrefix}{endpoint.Base}#{model}", endpoint.ApiKey ?? "", endpoint.Price is { } p ? (p.Input, p.Output) : null);
    }

    /// <summary>ENDPOINT/MODEL: that endpoint; MODEL: the first endpoint listing it (replicas serve the same model).</summary>
    private (EndpointSpec Endpoint, string Model)? Find(string name)
    {
        int slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && config.Endpoints.FirstOrDefault(e => e.Name == name[..slash]) is { } named)
        {
            string model = name[(slash + 1)..];
            if (named.Models == null || named.Models.Contains(model)) return (named, model);
            throw new UsageException($"{file}: the endpoint '{named.Name}' does not list the model '{model}' (it lists {string.Join(", ", named.Models)})");
        }
        return config.Endpoints.FirstOrDefault(e => e.Models?.Contains(name) == true) is { } serving ? (serving, name) : null;
    }
}
