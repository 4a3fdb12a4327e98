using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommunityApp.Data.Jobs;

/// <summary>
/// One background job's shared state (<c>job_runs</c>): which instance holds its current run (<see cref="Owner"/> until
/// <see cref="LeaseUntil"/>), when it last started, succeeded and failed, and how often. On PostgreSQL the row is what
/// makes a job run once per period across app instances (<see cref="JobRunner"/>).
/// </summary>
public sealed class JobRun
{
    public const int NameLength = 100;
    public const int OwnerLength = 200;
    public const int ErrorLength = 2000;

    public required string Name { get; set; }
    public DateTime? LastStartedAt { get; set; }
    public DateTime? LeaseUntil { get; set; }
    public string? Owner { get; set; }
    public DateTime? LastSucceededAt { get; set; }
    public DateTime? LastFailedAt { get; set; }
    public string? LastError { get; set; }
    public long Runs { get; set; }
    public long Failures { get; set; }
}

public sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> job)
    {
        job.ToTable("job_runs");
        job.HasKey(j => j.Name);
        job.Property(j => j.Name).HasMaxLength(JobRun.NameLength);
        job.Property(j => j.Owner).HasMaxLength(JobRun.OwnerLength);
        job.Property(j => j.LastError).HasMaxLength(JobRun.ErrorLength);
    }
}
