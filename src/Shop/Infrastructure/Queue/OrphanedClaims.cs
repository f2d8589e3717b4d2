using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;

namespace Shop.Infrastructure.Queue;

/// <summary>
/// The liveness of other processes' claims: a worker id names its machine and process
/// (<see cref="QueueOptions.WorkerId"/>), so the claims of a process on this machine that no longer
/// runs (killed, crashed) can be freed at once instead of after their lease.
/// </summary>
internal static class OrphanedClaims
{
    /// <summary>Frees the waiting rows of <paramref name="table"/> held by gone processes of this machine; returns how many.</summary>
    public static async Task<int> ReleaseAsync(
        ShopDb db, string table, string waiting, string me, WriteGate gate, ILogger logger, CancellationToken cancellationToken)
    {
        var prefix = Environment.MachineName + "/";
        await db.Database.OpenConnectionAsync(cancellationToken);
        var holders = new List<string>();
        await using (var select = Sql.Command(db,
            $"SELECT DISTINCT ClaimedBy FROM {table} WHERE {waiting} AND substr(ClaimedBy, 1, length(@prefix)) = @prefix AND ClaimedBy <> @me",
            ("@prefix", prefix), ("@me", me)))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                holders.Add(reader.GetString(0));
            }
        }
        var freed = 0;
        foreach (var holder in holders.Where(h => !IsRunning(h[prefix.Length..])))
        {
            await using var release = Sql.Command(db,
                $"UPDATE {table} SET ClaimedBy = NULL, LeaseUntil = NULL WHERE {waiting} AND ClaimedBy = @holder", ("@holder", holder));
            int taken;
            using (await gate.EnterAsync(cancellationToken))
            {
                taken = await release.ExecuteNonQueryAsync(cancellationToken);
            }
            freed += taken;
            logger.Info("{Count} item(s) of {Queue} held by {Worker}, a process that is gone, taken back", taken, table, holder);
        }
        return freed;
    }

    /// <summary>Whether the process a worker id names ("pid/…" after the machine name) still runs.</summary>
    private static bool IsRunning(string rest)
    {
        var slash = rest.IndexOf('/');
        if (!int.TryParse(slash < 0 ? rest : rest[..slash], System.Globalization.CultureInfo.InvariantCulture, out var pid))
        {
            return true; // Not an id this code wrote: leave it to its lease.
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // No such process.
        }
    }
}
