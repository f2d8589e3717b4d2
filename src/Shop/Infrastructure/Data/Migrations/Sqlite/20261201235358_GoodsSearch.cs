using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class GoodsSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The q index: FTS5 trigrams of the folded name, with the goods table as its content.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE goods_name_search USING fts5(
                    NameFolded, content='goods', content_rowid='Id', tokenize='trigram case_sensitive 1');
                INSERT INTO goods_name_search(goods_name_search) VALUES ('rebuild');
                """);
            // The version that the listing totals are kept at (GoodsCounts).
            migrationBuilder.Sql("""
                CREATE TABLE goods_membership (Id INTEGER PRIMARY KEY CHECK (Id = 1), Version INTEGER NOT NULL);
                INSERT INTO goods_membership (Id, Version) VALUES (1, 0);
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER goods_added AFTER INSERT ON goods BEGIN
                    INSERT INTO goods_name_search(rowid, NameFolded) VALUES (new.Id, new.NameFolded);
                    UPDATE goods_membership SET Version = Version + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER goods_deleted AFTER DELETE ON goods BEGIN
                    INSERT INTO goods_name_search(goods_name_search, rowid, NameFolded) VALUES ('delete', old.Id, old.NameFolded);
                    UPDATE goods_membership SET Version = Version + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER goods_renamed AFTER UPDATE OF NameFolded ON goods WHEN old.NameFolded IS NOT new.NameFolded BEGIN
                    INSERT INTO goods_name_search(goods_name_search, rowid, NameFolded) VALUES ('delete', old.Id, old.NameFolded);
                    INSERT INTO goods_name_search(rowid, NameFolded) VALUES (new.Id, new.NameFolded);
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER goods_moved AFTER UPDATE OF NameFolded, Category, PriceCents, Stock ON goods
                WHEN old.NameFolded IS NOT new.NameFolded OR old.Category IS NOT new.Category
                    OR old.PriceCents IS NOT new.PriceCents OR (old.Stock > 0) IS NOT (new.Stock > 0) BEGIN
                    UPDATE goods_membership SET Version = Version + 1;
                END;
                """);
            // Deep pages walk ids in this index (a few bytes an entry) instead of the table's rows.
            migrationBuilder.Sql("CREATE INDEX IX_goods_Id ON goods (Id);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX IX_goods_Id;
                DROP TRIGGER goods_moved;
                DROP TRIGGER goods_renamed;
                DROP TRIGGER goods_deleted;
                DROP TRIGGER goods_added;
                DROP TABLE goods_membership;
                DROP TABLE goods_name_search;
                """);
        }
    }
}
