using Microsoft.EntityFrameworkCore;

namespace Shop.Infrastructure.Data;

/// <summary>The context on a SQLite file; its migrations are in <c>Migrations/Sqlite</c>.</summary>
public sealed class SqliteShopDb(DbContextOptions<SqliteShopDb> options) : ShopDb(options);
