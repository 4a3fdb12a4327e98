using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace CommunityApp.Data;

/// <summary>Why the database cannot be used, as start-up and <c>/health</c> report it.</summary>
public enum DatabaseProblem
{
    Refused,
    HostNotFound,
    TimedOut,
    AuthenticationFailed,
    NoSuchDatabase,
    PermissionDenied,
    ReadOnly,
    NotAccepting,
    InvalidConnectionString,
    Failed,
}

/// <summary>Start-up could not use the database; <see cref="Problem"/> says why, the message names the setting to check.</summary>
public sealed class DatabaseStartupException(DatabaseProblem problem, string message, Exception? inner)
    : InvalidOperationException(message, inner)
{
    public DatabaseProblem Problem { get; } = problem;
}

/// <summary>The database's answer to "can I connect, and does it accept writes?", with the real cause when it does not.</summary>
public sealed record DatabaseState(DatabaseProblem? Problem, string Detail)
{
    public bool Ready => Problem is null;

    /// <summary>"authentication failed (28P01: password authentication failed for user "x")".</summary>
    public string Describe() => Problem is { } problem ? $"{DatabaseReadiness.Text(problem)} ({Detail})" : Detail;
}

/// <summary>
/// Connects with the provider's own connection (not through EF Core, which logs a failed connection as an error with its
/// stack and turns every cause into "cannot connect"), then probes that the database accepts writes: PostgreSQL is
/// neither a standby nor read-only by default; SQLite was not opened read-only and takes a write inside a transaction
/// that is rolled back.
/// </summary>
public static class DatabaseReadiness
{
    private const int ProbeTimeoutSeconds = 5;

    public static async Task<DatabaseState> CheckAsync(AppDbContext db, CancellationToken ct = default)
    {
        var connectionString = db.Database.GetConnectionString() ?? "";
        try
        {
            return db.Database.IsNpgsql()
                ? await CheckPostgresAsync(connectionString, ct)
                : await CheckSqliteAsync(connectionString, ct);
        }
        catch (Exception ex) when (Classify(ex) is { } problem)
        {
            return new DatabaseState(problem.Problem, problem.Detail);
        }
    }

    private static async Task<DatabaseState> CheckPostgresAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')", connection)
        {
            CommandTimeout = ProbeTimeoutSeconds,
        };
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        if (reader.GetBoolean(0))
            return new DatabaseState(DatabaseProblem.ReadOnly, "the server is a standby in recovery; point the connection at the primary");
        if (reader.GetString(1) == "on")
            return new DatabaseState(DatabaseProblem.ReadOnly, "transactions are read-only: default_transaction_read_only is on for this database, user or server");
        return new DatabaseState(null, "the database accepts writes");
    }

    private static async Task<DatabaseState> CheckSqliteAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        // 1 when the file was opened read-only: Mode=ReadOnly, or a file the process may not write.
        if (SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
            return new DatabaseState(DatabaseProblem.ReadOnly, $"{connection.DataSource} is opened read-only (Mode=ReadOnly, or the file is not writable)");

        // A write that is rolled back: rewriting user_version dirties the header page, so SQLite must take the write lock
        // and create its journal beside the file, which fails when the folder is not writable.
        await using var command = connection.CreateCommand();
        command.CommandTimeout = ProbeTimeoutSeconds;
        command.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        command.CommandText = "BEGIN IMMEDIATE";
        await command.ExecuteNonQueryAsync(ct);
        try
        {
            command.CommandText = $"PRAGMA user_version = {version}";
            await command.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            command.CommandText = "ROLLBACK";
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        return new DatabaseState(null, "the database accepts writes");
    }

    /// <summary>The cause of a failure to connect or write, or null for an exception that is not about the database.</summary>
    public static DatabaseState? Classify(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case PostgresException pg:
                    return new DatabaseState(pg.SqlState switch
                    {
                        PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification => DatabaseProblem.AuthenticationFailed,
                        PostgresErrorCodes.InvalidCatalogName => DatabaseProblem.NoSuchDatabase,
                        PostgresErrorCodes.InsufficientPrivilege => DatabaseProblem.PermissionDenied,
                        PostgresErrorCodes.ReadOnlySqlTransaction => DatabaseProblem.ReadOnly,
                        PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.AdminShutdown
                            or PostgresErrorCodes.CrashShutdown => DatabaseProblem.NotAccepting,
                        _ => DatabaseProblem.Failed,
                    }, OneLine(pg.Message));
                case SocketException socket:
                    return new DatabaseState(socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => DatabaseProblem.Refused,
                        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => DatabaseProblem.HostNotFound,
                        SocketError.TimedOut => DatabaseProblem.TimedOut,
                        _ => DatabaseProblem.Failed,
                    }, OneLine(Outer(exception, socket)));
                case TimeoutException:
                    return new DatabaseState(DatabaseProblem.TimedOut, OneLine(Outer(exception, ex)));
                case SqliteException sqlite:
                    return new DatabaseState(sqlite.SqliteErrorCode switch
                    {
                        8 => DatabaseProblem.ReadOnly,        // SQLITE_READONLY (also the folder: SQLITE_READONLY_DIRECTORY)
                        14 => DatabaseProblem.NoSuchDatabase, // SQLITE_CANTOPEN: the file or its folder is missing or not accessible
                        3 => DatabaseProblem.PermissionDenied, // SQLITE_PERM
                        5 or 6 => DatabaseProblem.NotAccepting, // BUSY, LOCKED
                        _ => DatabaseProblem.Failed,
                    }, sqlite.SqliteExtendedErrorCode == 1544 // SQLITE_READONLY_DIRECTORY
                        ? "the file's folder is not writable, and SQLite writes its journal beside the file"
                        : OneLine(sqlite.Message));
                case NpgsqlException npgsql when npgsql.InnerException is null:
                    return new DatabaseState(DatabaseProblem.Failed, OneLine(npgsql.Message));
                case UnauthorizedAccessException:
                    return new DatabaseState(DatabaseProblem.PermissionDenied, OneLine(ex.Message));
                case ArgumentException or FormatException:
                    return new DatabaseState(DatabaseProblem.InvalidConnectionString, OneLine(ex.Message));
            }
        }
        // Lost on the way (a connection reset during the handshake, a folder that cannot be created): still the database's failure.
        return exception is NpgsqlException or IOException or System.Data.Common.DbException
            ? new DatabaseState(DatabaseProblem.Failed, OneLine(exception.Message))
            : null;
    }

    public static string Text(DatabaseProblem problem) => problem switch
    {
        DatabaseProblem.Refused => "the connection was refused (nothing listens at that host and port)",
        DatabaseProblem.HostNotFound => "the host was not found",
        DatabaseProblem.TimedOut => "the connection timed out",
        DatabaseProblem.AuthenticationFailed => "authentication failed",
        DatabaseProblem.NoSuchDatabase => "no such database",
        DatabaseProblem.PermissionDenied => "permission denied",
        DatabaseProblem.ReadOnly => "the database is read-only",
        DatabaseProblem.NotAccepting => "the server is not accepting connections now",
        DatabaseProblem.InvalidConnectionString => "the connection string is not valid",
        _ => "the database failed",
    };

    /// <summary>"Failed to connect to 127.0.0.1:1: Connection refused": the client's words (which name the address) and the cause.</summary>
    private static string Outer(Exception outer, Exception cause)
    {
        var first = outer is DbUpdateException or InvalidOperationException && outer.InnerException is not null ? outer.InnerException : outer;
        return ReferenceEquals(first, cause) || first.Message.Contains(cause.Message, StringComparison.Ordinal)
            ? first.Message
            : $"{first.Message.TrimEnd('.')}: {cause.Message}";
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary><c>/health</c>'s database check: Unhealthy unless the database answers and accepts writes, with the cause.</summary>
public sealed class DatabaseHealthCheck(IDbContextFactory<AppDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var state = await DatabaseReadiness.CheckAsync(db, cancellationToken);
        return state.Ready ? HealthCheckResult.Healthy(state.Detail) : new HealthCheckResult(context.Registration.FailureStatus, state.Describe());
    }
}
