using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Shop.Infrastructure.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "goods",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    sku = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false, collation: "C"),
                    namefolded = table.Column<string>(type: "character varying(800)", maxLength: 800, nullable: false, collation: "C"),
                    description = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false, collation: "C"),
                    pricecents = table.Column<long>(type: "bigint", nullable: false),
                    stock = table.Column<long>(type: "bigint", nullable: false),
                    category = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    createdat = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updatedat = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_goods", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "goods_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    goodsid = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_goods_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    kind = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    createdat = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    startedat = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    finishedat = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    result = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    error = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    progress = table.Column<int>(type: "integer", nullable: false),
                    claimedby = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    leaseuntil = table.Column<long>(type: "bigint", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_jobs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "login_failures",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    normalizedusername = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    failedat = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_login_failures", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "login_turns",
                columns: table => new
                {
                    normalizedusername = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    holder = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, collation: "C"),
                    leaseuntil = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_login_turns", x => x.normalizedusername);
                });

            migrationBuilder.CreateTable(
                name: "orders",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    userid = table.Column<long>(type: "bigint", nullable: false),
                    username = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    reason = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    totalcents = table.Column<long>(type: "bigint", nullable: true),
                    createdat = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updatedat = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    idempotencykey = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    requesthash = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    claimedby = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    leaseuntil = table.Column<long>(type: "bigint", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_orders", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    username = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, collation: "C"),
                    normalizedusername = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, collation: "C"),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true, collation: "C"),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    passwordhash = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false, collation: "C"),
                    createdat = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "job_payloads",
                columns: table => new
                {
                    jobid = table.Column<long>(type: "bigint", nullable: false),
                    contenttype = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    data = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_payloads", x => x.jobid);
                    table.ForeignKey(
                        name: "fk_job_payloads_jobs_jobid",
                        column: x => x.jobid,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "order_lines",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    orderid = table.Column<long>(type: "bigint", nullable: false),
                    goodsid = table.Column<long>(type: "bigint", nullable: false),
                    sku = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(800)", maxLength: 800, nullable: false, collation: "C"),
                    quantity = table.Column<int>(type: "integer", nullable: false),
                    unitpricecents = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_lines", x => x.id);
                    table.ForeignKey(
                        name: "fk_order_lines_orders_orderid",
                        column: x => x.orderid,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    userid = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    prefix = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    keyhash = table.Column<byte[]>(type: "bytea", nullable: false),
                    createdat = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                    table.ForeignKey(
                        name: "fk_api_keys_user_userid",
                        column: x => x.userid,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sessions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    userid = table.Column<long>(type: "bigint", nullable: false),
                    tokenhash = table.Column<byte[]>(type: "bytea", nullable: false),
                    createdat = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    expiresat = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sessions", x => x.id);
                    table.ForeignKey(
                        name: "fk_sessions_user_userid",
                        column: x => x.userid,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_keyhash",
                table: "api_keys",
                column: "keyhash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_userid",
                table: "api_keys",
                column: "userid");

            migrationBuilder.CreateIndex(
                name: "ix_goods_category",
                table: "goods",
                column: "category");

            migrationBuilder.CreateIndex(
                name: "ix_goods_pricecents",
                table: "goods",
                column: "pricecents");

            migrationBuilder.CreateIndex(
                name: "ix_goods_sku",
                table: "goods",
                column: "sku",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_jobs_status_leaseuntil",
                table: "jobs",
                columns: new[] { "status", "leaseuntil" });

            migrationBuilder.CreateIndex(
                name: "ix_login_failures_normalizedusername_failedat",
                table: "login_failures",
                columns: new[] { "normalizedusername", "failedat" });

            migrationBuilder.CreateIndex(
                name: "ix_order_lines_orderid",
                table: "order_lines",
                column: "orderid");

            migrationBuilder.CreateIndex(
                name: "ix_orders_status_leaseuntil",
                table: "orders",
                columns: new[] { "status", "leaseuntil" });

            migrationBuilder.CreateIndex(
                name: "ix_orders_userid",
                table: "orders",
                column: "userid");

            migrationBuilder.CreateIndex(
                name: "ix_orders_userid_idempotencykey",
                table: "orders",
                columns: new[] { "userid", "idempotencykey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sessions_tokenhash",
                table: "sessions",
                column: "tokenhash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sessions_userid",
                table: "sessions",
                column: "userid");

            migrationBuilder.CreateIndex(
                name: "ix_users_normalizedusername",
                table: "users",
                column: "normalizedusername",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "goods");

            migrationBuilder.DropTable(
                name: "goods_changes");

            migrationBuilder.DropTable(
                name: "job_payloads");

            migrationBuilder.DropTable(
                name: "login_failures");

            migrationBuilder.DropTable(
                name: "login_turns");

            migrationBuilder.DropTable(
                name: "order_lines");

            migrationBuilder.DropTable(
                name: "sessions");

            migrationBuilder.DropTable(
                name: "jobs");

            migrationBuilder.DropTable(
                name: "orders");

            migrationBuilder.DropTable(
                name: "users");
        }
    }
}
