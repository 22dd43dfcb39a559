// The catalog page's API: GET /api/catalog (the built-in catalog filtered as `weft models` filters it, with this server's
// models beside it), GET /api/catalog/{id} (one entry with its lineage and published scores), and pulls:
// POST /api/pulls {"spec"} starts one, GET /api/pulls[/{id}] reports progress, DELETE /api/pulls/{id} cancels.
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Catalog;
using Weft.Catalog.Cards;
using Weft.Catalog.Catalog;
using Weft.Catalog.Hub;
using Weft.Server.Hosting;
using BuiltIn = Weft.Catalog.Catalog.ModelCatalog;

namespace Weft.Server.Api;

internal static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalog(this RouteGroupBuilder api)
    {
        api.MapGet("/catalog", async (HttpContext http, ModelPool pool) =>
        {
            var filter = Filter(http.Request.Query);
            var catalog = BuiltIn.BuiltIn;
            var models = pool.Catalog.List();
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteString("quant", filter.Quant);
                if (filter.RamBytes is long ram) w.WriteNumber("free_ram_bytes", ram);
                Facets(w, catalog);
                w.WriteStartArray("models");
                foreach (var e in filter.Apply(catalog.Entries))
                {
                    w.WriteStartObject();
                    CatalogJson.Entry(w, e, full: false);
                    LocalIds(w, models, e);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("local");
                foreach (var m in models.Where(m => m.Problem == null)) Local(w, m);
                w.WriteEndArray();
                w.WriteEndObject();
            });
        });
        api.MapGet("/catalog/{**id}", async (HttpContext http, ModelPool pool, string id) =>
        {
            var catalog = BuiltIn.BuiltIn;
            var e = catalog.Find(id) ?? throw new ApiException(404, $"'{id}' is not in the catalog", param: "id", code: "not_found");
            var models = pool.Catalog.List();
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("entry");
                CatalogJson.Entry(w, e, full: true);
                w.WriteEndObject();
                w.WriteStartArray("ancestry");
                foreach (var a in Lineage.Ancestry(catalog, e))
                {
                    w.WriteStartObject();
                    w.WriteString("id", a.Id);
                    w.WriteString("name", a.Name);
                    if (a.Relation != null) w.WriteString("relation", a.Relation);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WritePropertyName("lineage");
                CatalogJson.Tree(w, Lineage.Tree(catalog, e));
                LocalIds(w, models, e);
                w.WriteEndObject();
            });
        });
        api.MapPost("/pulls", async (HttpContext http, PullJobs jobs) =>
        {
            if (!jobs.Enabled) throw new ApiException(409, "this server has no pull cache (it was started with --no-pulled)", code: "pulls_disabled");
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string text = body.RequiredString("spec");
            if (text.Length > 1000) throw ApiException.BadRequest("'spec' may hold at most 1000 characters", "spec");
            PullSpec spec;
            try
            {
                spec = PullSpec.Parse(text);
            }
            catch (HubException e)
            {
                throw ApiException.BadRequest(e.Message, "spec");
            }
            var job = jobs.Start(spec);
            await Json.WriteAsync(http.Response, w => Job(w, job, pool: null), 202);
        });
        api.MapGet("/pulls", async (HttpContext http, PullJobs jobs, ModelPool pool) =>
        {
            var all = jobs.All;
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("enabled", jobs.Enabled);
                w.WriteStartArray("data");
                foreach (var j in all) Job(w, j, pool);
                w.WriteEndArray();
                w.WriteEndObject();
            });
        });
        api.MapGet("/pulls/{id}", async (HttpContext http, PullJobs jobs, ModelPool pool, string id) =>
        {
            var job = jobs.Find(id) ?? throw new ApiException(404, $"no pull '{id}'", param: "id", code: "not_found");
            await Json.WriteAsync(http.Response, w => Job(w, job, pool));
        });
        api.MapDelete("/pulls/{id}", async (HttpContext http, PullJobs jobs, string id) =>
        {
            var job = jobs.Find(id) ?? throw new ApiException(404, $"no pull '{id}'", param: "id", code: "not_found");
            job.Cancel();
            await Json.WriteAsync(http.Response, w => Job(w, job, pool: null));
        });
        return api;
    }

    /// <summary>The page itself, from the embedded wwwroot/catalog.html.</summary>
    public static IEndpointRouteBuilder MapCatalogPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/catalog", (HttpContext http) => WebUiEndpoints.Serve(http, "catalog.html"));
        return app;
    }

    /// <summary>The filters of `weft models`, from query parameters of the same names (snake_case).</summary>
    private static CatalogFilter Filter(IQueryCollection q)
    {
        string? S(string name) => q[name].ToString() is { Length: > 0 } v
            ? v.Length <= 200 ? v : throw ApiException.BadRequest($"'{name}' may hold at most 200 characters", name)
            : null;
        double? Billions(string name) => S(name) is { } v
            ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d >= 0 && double.IsFinite(d) ? d
                : throw ApiException.BadRequest($"'{name}' must be a number of billions of parameters; got '{v}'", name)
            : null;
        string quant = S("quant") ?? "Q4_K_M";
        if (FileTypeNames.BitsPerWeight(quant) == null) throw ApiException.BadRequest($"unknown quant type '{quant}'", "quant");
        int? open = S("open") is { } o
            ? int.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= 5 ? n
                : throw ApiException.BadRequest($"'open' must be a whole number from 0 to 5; got '{o}'", "open")
            : null;
        bool fits = S("fits_ram") is { } f && (f == "true" || f == "1" || f == "on");
        return new CatalogFilter
        {
            Task = S("task"), License = S("license"), Family = S("family"), Language = S("language"), Search = S("search"),
            MinParameters = Billions("min_params") is double lo ? (long)(lo * 1e9) : null,
            MaxParameters = Billions("max_params") is double hi ? (long)(hi * 1e9) : null,
            RamBytes = fits ? QuantSizes.FreeRamBytes() : null, Quant = quant, MinOpen = open,
        };
    }

    /// <summary>The values the page's filter menus offer, from the whole catalog.</summary>
    private static void Facets(Utf8JsonWriter w, BuiltIn catalog)
    {
        void List(string name, IEnumerable<string> values)
        {
            w.WriteStartArray(name);
            foreach (var v in values.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)) w.WriteStringValue(v);
            w.WriteEndArray();
        }
        w.WriteStartObject("facets");
        List("tasks", catalog.Entries.SelectMany(e => e.Tasks));
        List("families", catalog.Entries.Select(e => e.Family));
        List("licenses", catalog.Entries.Select(e => e.License.Id ?? e.License.Name).OfType<string>());
        List("languages", catalog.Entries.SelectMany(e => e.Languages));
        List("quants", catalog.Entries.SelectMany(e => QuantSizes.All(e).Select(s => s.Quant)));
        w.WriteEndObject();
    }

    /// <summary>"local": the ids of this server's models that match the entry.</summary>
    private static void LocalIds(Utf8JsonWriter w, IReadOnlyList<ModelEntry> models, CatalogEntry e)
    {
        w.WriteStartArray("local");
        foreach (var m in models) if (m.CatalogEntry?.Id == e.Id && m.Problem == null) w.WriteStringValue(m.Id);
        w.WriteEndArray();
    }

    private static void Local(Utf8JsonWriter w, ModelEntry m)
    {
        w.WriteStartObject();
        w.WriteString("id", m.Id);
        w.WriteNumber("bytes", m.Bytes);
        if (m.Facts is { } f)
        {
            w.WriteString("architecture", f.Architecture);
            if (f.FileType != null) w.WriteString("type", f.FileType);
            w.WriteNumber("parameters", f.Parameters);
        }
        if (m.Pulled != null) w.WriteString("pull_spec", m.Pulled.PullSpec);
        if (m.CatalogEntry != null) w.WriteString("catalog_id", m.CatalogEntry.Id);
        if (m.Card != null) { w.WritePropertyName("card"); CatalogJson.Card(w, m.Card, withSource: false); }
        w.WriteEndObject();
    }

    /// <param name="pool">when given, a finished pull names the model id it is served under</param>
    private static void Job(Utf8JsonWriter w, PullJob j, ModelPool? pool)
    {
        w.WriteStartObject();
        w.WriteString("id", j.Id);
        w.WriteString("spec", j.Spec.ToString());
        w.WriteString("status", j.State.ToString().ToLowerInvariant());
        if (j.Result == null && j.Progress is { } p)
        {
            w.WriteString("file", p.File);
            w.WriteNumber("bytes", p.Bytes);
            if (p.Total is long t) w.WriteNumber("total", t);
            w.WriteNumber("bytes_per_second", Math.Round(p.BytesPerSecond));
            if (p.Eta is TimeSpan eta) w.WriteNumber("eta_s", Math.Round(eta.TotalSeconds, 1));
        }
        if (j.Result is { } r)
        {
            w.WriteNumber("bytes", r.Bytes);
            w.WriteNumber("total", r.Bytes);
            w.WriteBoolean("already_present", r.AlreadyPresent);
            if (pool?.Catalog.List().FirstOrDefault(m => m.Path == r.Path) is { } served) w.WriteString("model", served.Id);
        }
        if (j.Error != null) w.WriteString("error", j.Error);
        w.WriteEndObject();
    }
}
