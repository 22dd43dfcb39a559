// Reads endpoints.yaml: the remote OpenAI-compatible endpoints the gateway serves (docs/gateway.md). Every mistake is an
// error naming the file and line.
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Weft.Server.Remote;

/// <summary>One endpoint of the file: an OpenAI base URL (ending in /v1) and the models it serves.</summary>
/// <param name="Models">the model ids it serves; null: ask its GET /v1/models</param>
public sealed record EndpointSpec(string Name, Uri Url, string? ApiKeyEnv, IReadOnlyList<string>? Models, Price? Price)
{
    /// <summary>The key sent upstream (Authorization: Bearer), read from the named environment variable now.</summary>
    public string? ApiKey => ApiKeyEnv is { } env ? Environment.GetEnvironmentVariable(env) : null;

    /// <summary>The base URL without a trailing slash: paths after /v1 are appended to it.</summary>
    public string Base => Url.AbsoluteUri.TrimEnd('/');
}

/// <summary>USD per million tokens.</summary>
public sealed record Price(double Input, double Output);

/// <summary>The whole file.</summary>
/// <param name="HealthInterval">how often every endpoint is probed (GET /v1/models)</param>
/// <param name="ActivityTimeout">longest silence of an upstream answer before it is cut</param>
public sealed record EndpointsConfig(IReadOnlyList<EndpointSpec> Endpoints, TimeSpan HealthInterval, TimeSpan ActivityTimeout)
{
    public static readonly TimeSpan DefaultHealthInterval = TimeSpan.FromSeconds(10);
    /// <summary>YARP's own default is 100 s, shorter than a long generation.</summary>
    public static readonly TimeSpan DefaultActivityTimeout = TimeSpan.FromMinutes(10);
    public static readonly EndpointsConfig Empty = new([], DefaultHealthInterval, DefaultActivityTimeout);
}

public sealed class EndpointsFileException(string message) : Exception(message);

public static class EndpointsFile
{
    private static readonly string[] TopKeys = ["endpoints", "health_interval", "activity_timeout"];
    private static readonly string[] EndpointKeys = ["name", "url", "api_key_env", "models", "price"];
    private static readonly string[] PriceKeys = ["input", "output"];

    public static EndpointsConfig Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EndpointsFileException($"{path}: {e.Message}");
        }
        return Parse(text, path);
    }

    public static EndpointsConfig Parse(string yaml, string origin)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e) { throw new EndpointsFileException($"{origin}:{e.Start.Line}: {e.Message}"); }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            return EndpointsConfig.Empty;
        Exception Error(YamlNode node, string message) => new EndpointsFileException($"{origin}:{node.Start.Line}: {message}");

        var root = Map(stream.Documents[0].RootNode, "the file", Error);
        CheckKeys(root, TopKeys, "", Error);
        var interval = Seconds(root, "health_interval", EndpointsConfig.DefaultHealthInterval, Error);
        var activity = Seconds(root, "activity_timeout", EndpointsConfig.DefaultActivityTimeout, Error);
        var endpoints = new List<EndpointSpec>();
        if (Child(root, "endpoints") is { } list)
        {
            if (list is not YamlSequenceNode seq) throw Error(list, "'endpoints' must be a list");
            foreach (var item in seq)
            {
                var e = Map(item, "an endpoint", Error);
                CheckKeys(e, EndpointKeys, "an endpoint's ", Error);
                string name = Text(e, "name", Error) ?? throw Error(e, "an endpoint needs a 'name'");
                if (endpoints.Any(x => x.Name == name)) throw Error(e, $"the endpoint name '{name}' is used twice");
                var urlNode = Child(e, "url") ?? throw Error(e, $"the endpoint '{name}' needs a 'url' (its OpenAI base URL, e.g. http://10.0.0.5:8000/v1)");
                string urlText = Text(e, "url", Error)!;
                if (!Uri.TryCreate(urlText.TrimEnd('/'), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                    throw Error(urlNode, $"the url '{urlText}' of '{name}' is not an http(s) URL");
                string? keyEnv = Text(e, "api_key_env", Error);
                List<string>? models = null;
                if (Child(e, "models") is { } m)
                {
                    if (m is not YamlSequenceNode ms) throw Error(m, $"'models' of '{name}' must be a list of model ids");
                    models = [];
                    foreach (var id in ms)
                        models.Add(id is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw Error(id, $"a model id of '{name}' must be text"));
                }
                Price? price = null;
                if (Child(e, "price") is { } p)
                {
                    var pm = Map(p, $"'price' of '{name}'", Error);
                    CheckKeys(pm, PriceKeys, "a price's ", Error);
                    price = new Price(Number(pm, "input", Error) ?? 0, Number(pm, "output", Error) ?? 0);
                }
                endpoints.Add(new EndpointSpec(name, url, keyEnv, models, price));
            }
        }
        return new EndpointsConfig(endpoints, interval, activity);
    }

    private static YamlMappingNode Map(YamlNode node, string what, Func<YamlNode, string, Exception> error) =>
        node as YamlMappingNode ?? throw error(node, $"{what} must be a mapping of keys to values");

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static void CheckKeys(YamlMappingNode map, string[] known, string what, Func<YamlNode, string, Exception> error)
    {
        foreach (var key in map.Children.Keys)
            if (key is not YamlScalarNode { Value: { } k } || !known.Contains(k))
                throw error(key, $"unknown {what}key '{key}' (known: {string.Join(", ", known)})");
    }

    private static string? Text(YamlMappingNode map, string key, Func<YamlNode, string, Exception> error) => Child(map, key) switch
    {
        null => null,
        YamlScalarNode { Value: { Length: > 0 } v } => v,
        var n => throw error(n, $"'{key}' must be text"),
    };

    private static double? Number(YamlMappingNode map, string key, Func<YamlNode, string, Exception> error)
    {
        if (Child(map, key) is not { } n) return null;
        if (n is YamlScalarNode { Value: { } v } && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d >= 0 && double.IsFinite(d))
            return d;
        throw error(n, $"'{key}' must be a number of at least 0");
    }

    private static TimeSpan Seconds(YamlMappingNode map, string key, TimeSpan fallback, Func<YamlNode, string, Exception> error)
    {
        double? s = Number(map, key, error);
        if (s is 0) throw error(Child(map, key)!, $"'{key}' must be more than 0 seconds");
        return s is { } v ? TimeSpan.FromSeconds(v) : fallback;
    }
}
