namespace CommunityApp;

/// <summary>A refusal a user can understand: the service changed nothing and says why.</summary>
public class AppException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The thing asked for does not exist (or is hidden from this user).</summary>
public sealed class NotFoundException(string message) : AppException(message);

/// <summary>The user may not do this (not a member, not an admin …).</summary>
public sealed class ForbiddenException(string message) : AppException(message);

/// <summary>Bad input, with a message per field for the form to show.</summary>
public sealed class ValidationFailedException(IReadOnlyDictionary<string, string> errors, Exception? inner = null)
    : AppException(string.Join(" ", errors.Values), inner)
{
    public IReadOnlyDictionary<string, string> Errors { get; } = errors;

    public static void ThrowIfAny(Dictionary<string, string> errors)
    {
        if (errors.Count > 0) throw new ValidationFailedException(errors);
    }
}

/// <summary>Paging arguments as the database takes them.</summary>
public static class Paging
{
    /// <summary>The rows to skip for a page: never negative, and no overflow for a huge page index (it only lands past the end).</summary>
    public static int Offset(int pageIndex, int pageSize) => (int)Math.Min((long)Math.Max(0, pageIndex) * Math.Max(1, pageSize), int.MaxValue);
}

/// <summary>One page of a list, paged in the database.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int PageIndex, int PageSize)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}
