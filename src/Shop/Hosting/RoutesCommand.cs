using System.CommandLine;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Shop.Rest;

namespace Shop.Hosting;

/// <summary><c>shop routes</c>: the URL map, one line per method and path, with who may call it.</summary>
public static class RoutesCommand
{
    public static Command Create()
    {
        var command = new Command("routes", "Print the URL map: method, path, who may call it") { ShopCli.Config };
        command.SetAction((result, cancellationToken) => ShopCli.RunWithSettingsAsync(result, [], (settings, _) =>
        {
            var app = Program.BuildApp(settings);
            foreach (var line in RouteTable(app))
            {
                Console.WriteLine(line);
            }
            return Task.FromResult(0);
        }, cancellationToken));
        return command;
    }

    /// <summary>The URL map like Flask's <c>app.url_map</c>: one line per method and path, with who may call it.</summary>
    public static IEnumerable<string> RouteTable(WebApplication app)
    {
        var rows = ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(method => (Method: method, Path: "/" + (e.RoutePattern.RawText ?? "").Trim('/'), Who: WhoMayCall(e))))
            .Distinct()
            .OrderBy(r => r.Path, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)
            .ToList();
        var pathWidth = rows.Max(r => r.Path.Length);
        yield return $"{"METHOD",-7} {"PATH".PadRight(pathWidth)} WHO";
        foreach (var (method, path, who) in rows)
        {
            yield return $"{method,-7} {path.PadRight(pathWidth)} {who}";
        }
    }

    private static string WhoMayCall(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<CallerRule>() is { } rule)
        {
            return rule.Who;
        }
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return "anyone";
        }
        var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "signed-in").Distinct().ToList();
        return policies.Count == 0 ? "anyone" : string.Join(", ", policies);
    }
}
