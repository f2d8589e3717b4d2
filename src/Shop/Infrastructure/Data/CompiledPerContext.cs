using System.Collections.Concurrent;

namespace Shop.Infrastructure.Data;

/// <summary>
/// EF Core's compiled queries serve one model, and SQLite's and PostgreSQL's models differ
/// (<see cref="SqliteShopDb"/>, <see cref="PostgresShopDb"/>). A service uses one database, but a
/// process may hold contexts of both (the test run): this compiles a query once per context type.
/// </summary>
/// <example><c>static readonly Func&lt;ShopDb, long, CancellationToken, Task&lt;GoodsItem?&gt;&gt; ById = CompiledPerContext.Of(() => EF.CompileAsyncQuery(...));</c></example>
public static class CompiledPerContext
{
    public static Func<ShopDb, T1, TResult> Of<T1, TResult>(Func<Func<ShopDb, T1, TResult>> compile)
    {
        var compiled = new ConcurrentDictionary<Type, Func<ShopDb, T1, TResult>>();
        return (db, a) => compiled.GetOrAdd(db.GetType(), static (_, c) => c(), compile)(db, a);
    }

    public static Func<ShopDb, T1, T2, TResult> Of<T1, T2, TResult>(Func<Func<ShopDb, T1, T2, TResult>> compile)
    {
        var compiled = new ConcurrentDictionary<Type, Func<ShopDb, T1, T2, TResult>>();
        return (db, a, b) => compiled.GetOrAdd(db.GetType(), static (_, c) => c(), compile)(db, a, b);
    }

    public static Func<ShopDb, T1, T2, T3, TResult> Of<T1, T2, T3, TResult>(Func<Func<ShopDb, T1, T2, T3, TResult>> compile)
    {
        var compiled = new ConcurrentDictionary<Type, Func<ShopDb, T1, T2, T3, TResult>>();
        return (db, a, b, c) => compiled.GetOrAdd(db.GetType(), static (_, make) => make(), compile)(db, a, b, c);
    }
}
