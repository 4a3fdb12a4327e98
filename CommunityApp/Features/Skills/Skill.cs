using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Skills;

/// <summary>
/// A skill on a user's profile (docs/SPEC.md §17). It belongs to the user across communities; <see cref="NormalizedName"/>
/// (upper case, inner spaces collapsed) keeps one user's skills distinct ignoring case, in a unique index.
/// </summary>
public class Skill
{
    public const int NameMaxLength = 50;
    /// <summary>The most skills one profile lists.</summary>
    public const int MaxPerUser = 30;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string UserId { get; set; } = "";
    public ApplicationUser User { get; set; } = null!;
    public string Name { get; set; } = "";
    public string NormalizedName { get; set; } = "";
    public DateTime CreatedAt { get; set; }

    /// <summary>What two names equal ignoring case and spacing share: "Bike  repair" and "bike repair" are one skill.</summary>
    public static string Normalize(string name) =>
        string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();

    /// <summary>
    /// 1–50 characters of letters (any script, with their combining marks), digits, spaces, <c>-</c> and <c>&amp;</c>, after
    /// trimming and composing (NFC); inner runs of spaces become one. Null when the name breaks the rule.
    /// </summary>
    public static string? Clean(string? name)
    {
        var text = name?.Trim() ?? "";
        if (text.Length == 0 || !Texts.IsStorable(text) || !Texts.TryCompose(text, out text)) return null;
        text = string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (text.Length is 0 or > NameMaxLength) return null;
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var allowed = Rune.IsLetter(rune) || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                          || category == UnicodeCategory.DecimalDigitNumber || rune.Value is ' ' or '-' or '&';
            if (!allowed) return null;
        }
        // A name of marks, dashes and ampersands alone says nothing: at least one letter or digit.
        return text.EnumerateRunes().Any(r => Rune.IsLetterOrDigit(r)) ? text : null;
    }
}

/// <summary>
/// One member's endorsement of a skill in one community (docs/SPEC.md §17): one per endorser per skill per community (the
/// unique index), withdrawn by deleting it. Endorsing one's own skill is allowed and counts one like any other.
/// </summary>
public class SkillEndorsement
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public Guid SkillId { get; set; }
    public Skill Skill { get; set; } = null!;
    public string EndorserId { get; set; } = "";
    public ApplicationUser Endorser { get; set; } = null!;
    public DateTime CreatedAt { get; set; }
}

internal sealed class SkillConfiguration : IEntityTypeConfiguration<Skill>, IEntityTypeConfiguration<SkillEndorsement>
{
    public void Configure(EntityTypeBuilder<Skill> skill)
    {
        skill.ToTable("skills");
        skill.Property(s => s.Name).HasMaxLength(Skill.NameMaxLength).IsRequired();
        skill.Property(s => s.NormalizedName).HasMaxLength(Skill.NameMaxLength).IsRequired();
        skill.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        // No duplicates on one profile; "who can help with X" searches the normalized names.
        skill.HasIndex(s => new { s.UserId, s.NormalizedName }).IsUnique();
        skill.HasIndex(s => s.NormalizedName);
    }

    public void Configure(EntityTypeBuilder<SkillEndorsement> endorsement)
    {
        endorsement.ToTable("skill_endorsements");
        endorsement.HasOne(e => e.Skill).WithMany().HasForeignKey(e => e.SkillId).OnDelete(DeleteBehavior.Cascade);
        endorsement.HasOne(e => e.Endorser).WithMany().HasForeignKey(e => e.EndorserId).OnDelete(DeleteBehavior.Cascade);
        endorsement.HasOne<Community>().WithMany().HasForeignKey(e => e.CommunityId).OnDelete(DeleteBehavior.Cascade);
        // One per endorser per skill in a community; the counts group by community and skill.
        endorsement.HasIndex(e => new { e.CommunityId, e.SkillId, e.EndorserId }).IsUnique();
        endorsement.HasIndex(e => e.SkillId);
        endorsement.HasIndex(e => e.EndorserId);
    }
}
