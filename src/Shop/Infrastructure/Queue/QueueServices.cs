using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Shop.Infrastructure.Queue;

public static class QueueServices
{
    /// <summary>Registers a queue as a singleton with its background worker.</summary>
    public static IServiceCollection AddLeasedQueue<TQueue>(this IServiceCollection services)
        where TQueue : LeasedQueue
    {
        services.TryAddSingleton<QueueOptions>();
        services.AddSingleton<TQueue>();
        services.AddHostedService<QueueWorker<TQueue>>();
        return services;
    }
}
