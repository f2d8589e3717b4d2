using Shop.Features.Goods;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Metrics;

namespace Shop.Features.Orders;

/// <summary>What the order write handlers take from the container, bound with <c>[AsParameters]</c> (eShop's services record).</summary>
public sealed record OrderServices(
    ShopDb Db, WriteGate Gate, GoodsChangeLog GoodsChanges, OrderInbox Inbox, ShopMetrics Metrics, TimeProvider Clock, ILoggerFactory Logs);
