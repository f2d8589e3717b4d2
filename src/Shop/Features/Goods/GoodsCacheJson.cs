using System.Text.Json.Serialization;
using Shop.Infrastructure.Cache;
using ZiggyCreatures.Caching.Fusion.Internals.Distributed;

namespace Shop.Features.Goods;

/// <summary>The goods cache entries as FusionCache keeps them in Redis (source-generated, like all of Shop's JSON).</summary>
[JsonSerializable(typeof(FusionCacheDistributedEntry<Stamped<GoodsCache.Entry>>))]
[JsonSerializable(typeof(FusionCacheDistributedEntry<Stamped<GoodsCache.Page>>))]
public sealed partial class GoodsCacheJson : JsonSerializerContext;
