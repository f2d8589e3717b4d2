using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Data;

namespace Shop.Features.ApiKeys;

/// <summary>What the API key handlers take from the container, bound with <c>[AsParameters]</c> (eShop's services record).</summary>
public sealed record ApiKeyServices(ShopDb Db, Secrets Secrets, TimeProvider Clock, ILoggerFactory Logs);
