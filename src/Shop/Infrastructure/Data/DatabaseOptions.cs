namespace Shop.Infrastructure.Data;

/// <summary>What the data layer is told: the <c>database</c> setting, a SQLite file or a PostgreSQL URI.</summary>
public sealed record DatabaseOptions(string Database)
{
    /// <summary>Whether <see cref="Database"/> is a PostgreSQL URI (otherwise a SQLite file).</summary>
    public bool OnPostgres => PostgresUri.IsPostgres(Database);

    /// <summary>The SQLite connection string for <see cref="Database"/>.</summary>
    public string SqliteConnectionString => $"Data Source={Database};Pooling=True;Default Timeout=5";
}
