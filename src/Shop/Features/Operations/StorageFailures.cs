using System.Data.Common;
using Microsoft.Data.Sqlite;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;

namespace Shop.Features.Operations;

/// <summary>
/// Requests that fail because the database is locked by another writer past the busy wait, because
/// its disk is full, or because its server cannot be reached: recognised by provider error code, answered as 503 (<see cref="StorageProblemHandler"/>),
/// remembered for <c>/readyz</c>, and logged at most once a minute each, not a stack trace per request.
/// </summary>
public sealed class StorageFailures(ILogger<StorageFailures> logger, TimeProvider clock)
{
    /// <summary>How long a full disk met by a write keeps <c>/readyz</c> at 503, and how often its ERROR repeats.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromMinutes(1);

    private long _fullAt = long.MinValue;
    private long _fullLogged = long.MinValue;
    private long _busyLogged = long.MinValue;
    private long _unreachableLogged = long.MinValue;

    public enum Kind { None, Busy, Full, Unreachable }

    public bool RecentlyFull => Elapsed(Interlocked.Read(ref _fullAt)) < Memory;

    /// <summary>SQLITE_BUSY or SQLITE_LOCKED: another connection held the lock for the whole busy wait.</summary>
    public static bool IsBusy(SqliteException ex) => ex.SqliteErrorCode is 5 or 6;

    /// <summary>What kind of storage failure <paramref name="exception"/> (or one it wraps) is.</summary>
    public static Kind Classify(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case DatabaseBusyException:
                case SqliteException sqlite when IsBusy(sqlite):
                    return Kind.Busy;
                case SqliteException { SqliteErrorCode: 13 }:
                    return Kind.Full;
                // PostgreSQL's disk_full (SQLSTATE 53100) and lock_not_available (55P03).
                case DbException { SqlState: "53100" }:
                    return Kind.Full;
                case DbException { SqlState: "55P03" }:
                    return Kind.Busy;
                case DbException db when DataServices.IsUnreachable(db):
                    return Kind.Unreachable;
            }
        }
        return Kind.None;
    }

    public void Record(Kind kind, Exception exception)
    {
        var now = clock.GetTimestamp();
        if (kind == Kind.Full)
        {
            Interlocked.Exchange(ref _fullAt, now);
            if (Once(ref _fullLogged, now))
            {
                logger.Error(null, "Storage is full: writes fail until there is room on the disk of the database ({Reason})", exception.GetBaseException().Message);
            }
        }
        else if (kind == Kind.Busy && Once(ref _busyLogged, now))
        {
            logger.Warning("Database locked by another writer past the busy wait: writes answer 503 ({Reason})", exception.GetBaseException().Message);
        }
        else if (kind == Kind.Unreachable && Once(ref _unreachableLogged, now))
        {
            // A WARNING once a minute: /readyz's ERROR is the one that calls a person.
            logger.Warning("The database is unreachable: requests that need it answer 503 ({Reason})", exception.GetBaseException().Message);
        }
    }

    private TimeSpan Elapsed(long since) => since == long.MinValue ? TimeSpan.MaxValue : clock.GetElapsedTime(since);

    /// <summary>True for the first call in each <see cref="Memory"/>, so a lasting failure logs once a minute.</summary>
    private bool Once(ref long last, long now)
    {
        var previous = Interlocked.Read(ref last);
        return Elapsed(previous) >= Memory && Interlocked.CompareExchange(ref last, now, previous) == previous;
    }
}
