using System.Collections.Concurrent;
using System.Text;
using Npgsql;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// Counts the rows inserted, updated or deleted in a test database, so a fuzz test can prove that a refused call changed
/// nothing. A row trigger on every table counts into one row inside the writer's own transaction, so a write that is
/// rolled back counts nothing. (Hashing every row of every table before and after each call did the same at forty
/// times the cost.) Installed on first use; meant for one writer at a time, as the fuzz tests run.
/// </summary>
public static class WriteCounter
{
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Installed = new();

    /// <summary>The number of rows written in the database so far.</summary>
    public static async Task<long> WritesAsync(string connectionString)
    {
        await Installed.GetOrAdd(connectionString, c => new Lazy<Task>(() => InstallAsync(c))).Value;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT n FROM fuzz_writes", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task InstallAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        var sql = new StringBuilder("""
            CREATE TABLE fuzz_writes (n bigint NOT NULL);
            INSERT INTO fuzz_writes VALUES (0);
            CREATE FUNCTION fuzz_count_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE fuzz_writes SET n = n + 1; RETURN NULL; END $$;
            """);
        foreach (var table in tables)
        {
            sql.AppendLine($"""CREATE TRIGGER fuzz_count_write AFTER INSERT OR UPDATE OR DELETE ON "{table}" FOR EACH ROW EXECUTE FUNCTION fuzz_count_write();""");
            sql.AppendLine($"""CREATE TRIGGER fuzz_count_truncate AFTER TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION fuzz_count_write();""");
        }
        await using var install = new NpgsqlCommand(sql.ToString(), connection);
        await install.ExecuteNonQueryAsync();
    }
}
