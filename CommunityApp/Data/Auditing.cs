namespace CommunityApp.Data;

/// <summary>Rows that record who created them and when they last changed (set by <see cref="AuditInterceptor"/>).</summary>
public interface IAuditable
{
    DateTime CreatedAt { get; set; }
    string? CreatedBy { get; set; }
    DateTime UpdatedAt { get; set; }
}

/// <summary>Append-only rows that record when they were written; <see cref="AuditInterceptor"/> stamps them if the writer did not.</summary>
public interface ICreatedAt
{
    DateTime CreatedAt { get; set; }
}

/// <summary>User-visible content is soft-deleted so that it can be audited and restored (docs/SPEC.md §1).</summary>
public interface ISoftDeletable
{
    DateTime? DeletedAt { get; set; }
}
