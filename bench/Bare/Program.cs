// A bare Kestrel endpoint answering GET /api/v1/goods/{id} with the bytes and headers Shop sends:
// the body and ETag captured from a running Shop (bench/run does that), Content-Type
// application/json; charset=utf-8, a fresh X-Request-Id, chunked transfer, no Server header.
// Everything Shop does beyond this (database, middleware, logging) is what the ratio measures.
//
// usage: bare URL BODY_FILE ETAG     for example: bare http://127.0.0.1:5001 body.json '"42-1"'
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: bare URL BODY_FILE ETAG");
    return 2;
}
var (url, body, etag) = (args[0], File.ReadAllBytes(args[1]), args[2]);

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.WebHost.UseUrls(url);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Logging.ClearProviders();
var app = builder.Build();

app.MapGet("/api/v1/goods/{id:long}", async (long id, HttpContext context) =>
{
    var response = context.Response;
    // Shop generates a request id per request; generating one here keeps the comparison honest.
    response.Headers["X-Request-Id"] = Guid.NewGuid().ToString("N");
    response.Headers.ETag = etag;
    response.ContentType = "application/json; charset=utf-8";
    // No Content-Length, so Kestrel chunks the body exactly as it does for Shop's JSON results.
    await response.BodyWriter.WriteAsync(body, context.RequestAborted);
});

app.Run();
return 0;
