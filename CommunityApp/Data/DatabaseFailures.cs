using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CommunityApp.Data;

/// <summary>Tells a database that did not answer (down, restarting, unreachable, busy) from a bug in a query.</summary>
public static class DatabaseFailures
{
    public static bool IsUnavailable(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case PostgresException pg:
                    // Class 08 connection, 53 resources, 57 operator intervention (57P01 admin shutdown …), 40 serialization/deadlock.
                    return pg.IsTransient || pg.SqlState[..2] is "08" or "53" or "57";
                case NpgsqlException npgsql:
                    return npgsql.IsTransient || npgsql.InnerException is System.Net.Sockets.SocketException or IOException or TimeoutException;
                case SqliteException sqlite:
                    // BUSY, LOCKED, IOERR, CANTOPEN, READONLY: the file is there but cannot be written now.
                    return sqlite.SqliteErrorCode is 5 or 6 or 8 or 10 or 14;
                case TimeoutException:
                case Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException:
                    return true;
                case DbException:
                    return false;
            }
        }
        return false;
    }

    /// <summary>
    /// Npgsql's answer to a command on a transaction that its broken connection already ended: "Transaction is already
    /// completed" (an <see cref="InvalidOperationException"/> from Npgsql) or a disposed <c>NpgsqlTransaction</c>.
    /// </summary>
    public static bool IsBrokenTransaction(Exception exception) =>
        exception is InvalidOperationException { Source: "Npgsql" } or ObjectDisposedException { ObjectName: nameof(NpgsqlTransaction) };

    /// <summary>
    /// The save broke a unique index (PostgreSQL 23505, SQLite's UNIQUE or PRIMARY KEY constraint): a parallel request
    /// wrote the same row first. Any other failure (a check constraint, a foreign key, a lost connection) is not that.
    /// </summary>
    public static bool IsUniqueViolation(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case PostgresException pg:
                    return pg.SqlState == PostgresErrorCodes.UniqueViolation;
                case SqliteException sqlite:
                    return sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555;
            }
        }
        return false;
    }
}
