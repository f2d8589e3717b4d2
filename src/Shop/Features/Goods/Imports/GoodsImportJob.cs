using System.Text.Json;
using Shop.Features.Jobs;
using Shop.Infrastructure;

namespace Shop.Features.Goods.Imports;

/// <summary>
/// Applies an import: rows upsert by sku in batches, each batch one transaction that also records
/// the job's progress, so a job resumed after a crash applies every row exactly once. Bad rows are
/// collected with their line numbers; they never stop the others.
/// </summary>
public sealed class GoodsImportJob(TimeProvider clock, GoodsChangeLog changes) : IJobHandler
{
    public const string JobKind = "goods-import";
    private const int BatchSize = 1000;

    // A stock left out of a row keeps the stock the goods had: an import of names and prices must
    // not empty the shelves. A new goods starts at 0. Version 1 in RETURNING means the row is new.
    private const string OnConflict =
        $"""
        DO UPDATE SET Name = excluded.Name, NameFolded = excluded.NameFolded,
            Description = excluded.Description, PriceCents = excluded.PriceCents, Stock = COALESCE(@stock, goods.Stock),
            Category = excluded.Category, {GoodsItem.TouchSql}
        """;

    public string Kind => JobKind;

    public async Task<string> RunAsync(JobRun run, CancellationToken cancellationToken)
    {
        var resumed = run.PartialResult is { } partial ? JsonSerializer.Deserialize(partial, ImportJson.Wire.ImportResult)! : null;
        var (created, updated) = (resumed?.Created ?? 0, resumed?.Updated ?? 0);
        var failed = new List<ImportFailure>();
        var done = 0;
        // Every row is read again, also those applied before an interruption: parsing is cheap and
        // deterministic, so the failures list is rebuilt whole and never needs a checkpoint.
        foreach (var batch in GoodsImportParser.Parse(run.Payload.Data, run.Payload.ContentType).Chunk(BatchSize))
        {
            failed.AddRange(batch.Where(r => r.Error is not null).Select(r => new ImportFailure(r.Line, r.Error!)));
            done += batch.Length;
            if (done <= run.Progress)
            {
                continue; // Applied and counted by an interrupted run.
            }
            await using var transaction = await run.Gate.BeginAsync(run.Db, cancellationToken);
            await using var upsert = await GoodsRowCommand.PrepareAsync(run.Db, OnConflict, clock.UtcNowToTheSecond(), cancellationToken);
            var written = new List<long>(batch.Length);
            foreach (var row in batch.Where(r => r.Goods is not null))
            {
                var (id, version) = (await upsert.ExecuteAsync(row.Goods!, row.StockGiven, cancellationToken))!.Value;
                written.Add(id);
                _ = version == 1 ? created++ : updated++;
            }
            await changes.RecordAsync(run.Db, written, null, cancellationToken);
            await run.CheckpointAsync(done, Serialize(new ImportResult(created, updated, [])), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            changes.Committed(written);
        }
        return Serialize(new ImportResult(created, updated, failed));
    }

    private static string Serialize(ImportResult result) => JsonSerializer.Serialize(result, ImportJson.Wire.ImportResult);
}
