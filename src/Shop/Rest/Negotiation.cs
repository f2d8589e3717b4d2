using Microsoft.Net.Http.Headers;

namespace Shop.Rest;

/// <summary>
/// Content negotiation on <c>Accept</c>: JSON always, CSV where the endpoint offers it, 406 otherwise.
/// Quality values are honoured; <c>q=0</c> excludes a type.
/// </summary>
public static class Negotiation
{
    public const string Csv = "text/csv";

    public static Representation Choose(HttpRequest request, bool csvOffered)
    {
        var accept = request.Headers.Accept;
        if (TakesJsonPlainly(request))
        {
            return Representation.Json;
        }
        if (!MediaTypeHeaderValue.TryParseList(accept, out var ranges) || ranges.Count == 0)
        {
            return Representation.Json;
        }
        Representation? best = null;
        double bestQuality = 0;
        // Ranges are visited most specific first so that "text/csv, */*;q=0.1" picks CSV.
        foreach (var range in ranges.OrderByDescending(r => r.Quality ?? 1).ThenBy(r => r.MatchesAllTypes ? 2 : r.MatchesAllSubTypes ? 1 : 0))
        {
            var quality = range.Quality ?? 1;
            if (quality <= 0 || quality < bestQuality)
            {
                continue;
            }
            Representation? candidate =
                Matches(range, "application/json") || Matches(range, Problems.MediaType) ? Representation.Json
                : csvOffered && Matches(range, Csv) ? Representation.Csv
                : null;
            if (candidate is not null && best is null)
            {
                best = candidate;
                bestQuality = quality;
            }
        }
        return best ?? throw new ApiProblem(406, csvOffered
            ? "Not acceptable: this resource is available as application/json or text/csv"
            : "Not acceptable: this resource is available as application/json");
    }

    /// <summary>The common cases, told without parsing the header: no <c>Accept</c>, or one plain range that includes JSON.</summary>
    public static bool TakesJsonPlainly(HttpRequest request)
    {
        var accept = request.Headers.Accept;
        return accept.Count == 0 || (accept.Count == 1 && accept[0] is "*/*" or "application/json" or "application/*");
    }

    private static bool Matches(MediaTypeHeaderValue range, string type) =>
        new MediaTypeHeaderValue(type).IsSubsetOf(range);

    /// <summary>Refuses up front a request whose answer the client could not accept.</summary>
    public static RouteGroupBuilder WithNegotiation(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter((context, next) =>
        {
            var csv = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<ProducesCsvAttribute>() is not null;
            Choose(context.HttpContext.Request, csv);
            return next(context);
        });
        return group;
    }
}
