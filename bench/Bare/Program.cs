// A bare Kestrel endpoint answering with the bytes and headers Shop sends: bench/run captures
// Shop's answers (status 200, every header but Date, Server, Transfer-Encoding and X-Request-Id,
// and the body) into a folder, and Bare replays them with a fresh X-Request-Id per request.
// Everything Shop does beyond this (database, cache, middleware, logging) is what the ratio measures.
//
//   DIR/id.headers,   DIR/id.body     answer GET /api/v1/goods/{id} (any id)
//   DIR/page.headers, DIR/page.body   answer GET /api/v1/goods (any query), when present
//
// A headers file holds one "Name: value" line per header. With a Content-Length line Bare sends
// that length, as Shop did; without one Kestrel chunks the body, as it does for Shop's JSON results.
//
// usage: bare URL DIR     for example: bare http://127.0.0.1:5001 /tmp/captured
using Microsoft.Extensions.Primitives;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: bare URL DIR");
    return 2;
}
var (url, folder) = (args[0], args[1]);

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.WebHost.UseUrls(url);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Logging.ClearProviders();
var app = builder.Build();

app.MapGet("/api/v1/goods/{id:long}", Replay(Load(folder, "id")!));
if (Load(folder, "page") is { } page)
{
    app.MapGet("/api/v1/goods", Replay(page));
}

app.Run();
return 0;

static Captured? Load(string folder, string name)
{
    var headersFile = Path.Combine(folder, name + ".headers");
    if (!File.Exists(headersFile))
    {
        return null;
    }
    var headers = File.ReadAllLines(headersFile)
        .Where(line => line.Contains(':'))
        .Select(line => (Name: line[..line.IndexOf(':')].Trim(), Value: line[(line.IndexOf(':') + 1)..].Trim()))
        .GroupBy(header => header.Name, StringComparer.OrdinalIgnoreCase)
        .Select(group => KeyValuePair.Create(group.Key, new StringValues(group.Select(header => header.Value).ToArray())))
        .ToArray();
    return new Captured(headers, File.ReadAllBytes(Path.Combine(folder, name + ".body")));
}

static RequestDelegate Replay(Captured answer) => async context =>
{
    var response = context.Response;
    // Shop generates a request id per request; generating one here keeps the comparison honest.
    response.Headers["X-Request-Id"] = Guid.NewGuid().ToString("N");
    foreach (var (name, value) in answer.Headers)
    {
        response.Headers[name] = value;
    }
    await response.BodyWriter.WriteAsync(answer.Body, context.RequestAborted);
};

internal sealed record Captured(KeyValuePair<string, StringValues>[] Headers, byte[] Body);
