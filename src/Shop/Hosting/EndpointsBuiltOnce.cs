using Microsoft.Extensions.Primitives;

namespace Shop.Hosting;

/// <summary>
/// A data source that builds its endpoints once and gives every reader that list. A route group
/// builds its endpoints (a request delegate compiled from expression trees per route) anew each time
/// it is asked, and two readers ask before the first answer: the authorization middleware's policy
/// cache at start and the router's matcher at the first request. No ASP.NET Core setting makes a
/// group keep them, hence this wrapper; routes are fixed once mapped, as the composite sources that
/// read it already assume (they too keep the first list until a change token fires).
/// </summary>
public sealed class EndpointsBuiltOnce(EndpointDataSource inner) : EndpointDataSource
{
    private readonly Lazy<IReadOnlyList<Endpoint>> _endpoints = new(() => inner.Endpoints, LazyThreadSafetyMode.ExecutionAndPublication);

    public override IReadOnlyList<Endpoint> Endpoints => _endpoints.Value;

    public override IChangeToken GetChangeToken() => inner.GetChangeToken();

    /// <summary>Wraps every data source of <paramref name="routes"/> that is not wrapped yet; call it after the last Map.</summary>
    public static void Apply(IEndpointRouteBuilder routes)
    {
        var sources = routes.DataSources.ToList();
        routes.DataSources.Clear();
        foreach (var source in sources)
        {
            routes.DataSources.Add(source as EndpointsBuiltOnce ?? new EndpointsBuiltOnce(source));
        }
    }

    /// <summary>
    /// Builds the endpoints of <paramref name="routes"/> on another thread, so that on two cores the
    /// work overlaps what start-up does meanwhile (migrations and the database model); the task ends
    /// with their number when they are built. The readers (the container's composite source among them) see only these
    /// sources once the pipeline is built, which is why they are asked directly.
    /// </summary>
    public static Task<int> BuildInBackground(IEndpointRouteBuilder routes) =>
        Task.Run(() => routes.DataSources.Sum(source => source.Endpoints.Count));
}
