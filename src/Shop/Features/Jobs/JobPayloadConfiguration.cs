using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Features.Jobs;

public sealed class JobPayloadConfiguration : IEntityTypeConfiguration<JobPayload>
{
    public void Configure(EntityTypeBuilder<JobPayload> builder)
    {
        builder.ToTable("job_payloads");
        builder.HasKey(p => p.JobId);
        builder.HasOne<Job>().WithOne().HasForeignKey<JobPayload>(p => p.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}
