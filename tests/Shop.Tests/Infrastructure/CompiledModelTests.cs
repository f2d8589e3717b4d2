using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Data.CompiledModels.Postgres;
using Shop.Infrastructure.Data.CompiledModels.Sqlite;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// The compiled models the service runs on (<c>Infrastructure/Data/CompiledModels</c>) against the
/// models <c>OnModelCreating</c> builds now: a configuration changed without
/// <c>scripts/regen-migrations</c> fails here. No database is opened: a model needs options only.
/// </summary>
public sealed class CompiledModelTests
{
    [Fact]
    public void TheSqliteCompiledModelIsTheModelOnModelCreatingBuilds() =>
        AssertSameModel("compiled-model.db", new SqliteShopDbDesignTimeFactory(), SqliteShopDbModel.Instance);

    [Fact]
    public void ThePostgresCompiledModelIsTheModelOnModelCreatingBuilds() =>
        AssertSameModel("postgresql://shop@localhost/shop", new PostgresShopDbDesignTimeFactory(), PostgresShopDbModel.Instance);

    /// <summary>
    /// Compares the model the service's registration gives a context for <paramref name="database"/>
    /// with the model of the design-time factory's context, which the EF tools read: that one must be
    /// built by <c>OnModelCreating</c>, never taken from the compiled model.
    /// </summary>
    /// <remarks>
    /// Both are read-optimized models, which hold only what a running context needs: EF's migrations
    /// differ reads design-time configuration (collations) that neither keeps, so the models are
    /// compared as EF describes them. <c>--check</c>'s comparison of the schema with the last
    /// migration covers what only migrations read.
    /// </remarks>
    private static void AssertSameModel<TContext>(string database, IDesignTimeDbContextFactory<TContext> designTime, IModel compiledModel)
        where TContext : ShopDb
    {
        using var services = new ServiceCollection().AddShopData(new DatabaseOptions(database)).BuildServiceProvider();
        using var scope = services.CreateScope();
        var compiled = scope.ServiceProvider.GetRequiredService<ShopDb>();
        using var built = designTime.CreateDbContext([]);

        Assert.IsType<TContext>(compiled);
        Assert.Same(compiledModel, compiled.Model);
        Assert.NotSame(compiledModel, built.Model);
        Assert.Equal(Describe(built.Model), Describe(compiled.Model));
    }

    /// <summary>
    /// The entity types with their properties, keys, indexes and annotations; the tables and columns
    /// with their store types; and each property's conversion, which neither of EF's views names.
    /// </summary>
    private static string Describe(IModel model) =>
        string.Join('\n',
            model.ToDebugString(MetadataDebugStringOptions.LongDefault),
            model.GetRelationalModel().ToDebugString(MetadataDebugStringOptions.LongDefault),
            string.Join('\n',
                from entityType in model.GetEntityTypes()
                from property in entityType.GetProperties()
                let mapping = property.GetRelationalTypeMapping()
                select $"{entityType.Name}.{property.Name}: {mapping.StoreType} {mapping.ClrType} {mapping.Converter?.GetType()} {mapping.Converter?.ProviderClrType}"));
}
