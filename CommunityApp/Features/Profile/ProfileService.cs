using CommunityApp.Resources;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;

namespace CommunityApp.Features.Profile;

public static class ProfileRules
{
    public const string UserNamePattern = "^[A-Za-z0-9._-]{3,30}$";
    public const int DisplayNameMax = 100;
    public const int BioMax = 1000;
}

public sealed record ProfileDto(string Id, string DisplayName, string UserName, string? Email, string? Bio);

public sealed record ProfileInput(string DisplayName, string UserName, string? Bio);

/// <summary>Reads and edits the signed-in user's own profile (docs/SPEC.md §1: display name, username, bio).</summary>
public sealed class ProfileService(IDbContextFactory<AppDbContext> dbFactory, ILookupNormalizer normalizer)
{
    public async Task<ProfileDto> GetAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.Where(u => u.Id == userId)
                   .Select(u => new ProfileDto(u.Id, u.DisplayName, u.UserName!, u.Email, u.Bio))
                   .SingleOrDefaultAsync(ct)
               ?? throw new NotFoundException(Text.Get("Error.AccountGone"));
    }

    public async Task<ProfileDto> UpdateAsync(string userId, ProfileInput input, CancellationToken ct = default)
    {
        var displayName = Names.Normalize(input.DisplayName);
        var userName = input.UserName?.Trim() ?? "";
        var bio = string.IsNullOrWhiteSpace(input.Bio) ? null : input.Bio.Trim();

        var errors = new Dictionary<string, string>();
        if (displayName.Length == 0) errors["DisplayName"] = Text.Get("Error.DisplayNameRequired");
        else if (displayName.Length > ProfileRules.DisplayNameMax) errors["DisplayName"] = Text.Get("Error.MaxChars", ProfileRules.DisplayNameMax);
        else if (Names.HasHiddenCharacters(displayName)) errors["DisplayName"] = Names.HiddenCharactersMessage;
        if (!System.Text.RegularExpressions.Regex.IsMatch(userName, ProfileRules.UserNamePattern)) errors["UserName"] = Text.Get("Error.UserNamePattern");
        if (bio?.Length > ProfileRules.BioMax) errors["Bio"] = Text.Get("Error.MaxChars", ProfileRules.BioMax);
        else if (!Texts.IsStorable(bio)) errors["Bio"] = Texts.UnstorableMessage;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = userId;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct) ?? throw new NotFoundException(Text.Get("Error.AccountGone"));
        // Identity's normalizer composes the name, which throws on a lone surrogate: only a name that passed the pattern gets there.
        var normalized = errors.ContainsKey("UserName") ? "" : normalizer.NormalizeName(userName);
        if (!errors.ContainsKey("UserName") && await db.Users.AnyAsync(u => u.NormalizedUserName == normalized && u.Id != userId, ct))
        {
            errors["UserName"] = Text.Get("Error.UserNameTaken", userName);
        }
        ValidationFailedException.ThrowIfAny(errors);

        user.DisplayName = displayName;
        user.UserName = userName;
        user.NormalizedUserName = normalized;
        user.Bio = bio;
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            // Someone may have taken the name between our check and the save; the unique index said no.
            if (!await UserNameTakenAsync(normalized, userId, ct)) throw;
            throw new ValidationFailedException(new Dictionary<string, string> { ["UserName"] = Text.Get("Error.UserNameTaken", userName) }, ex);
        }
        return new ProfileDto(user.Id, user.DisplayName, user.UserName, user.Email, user.Bio);
    }

    private async Task<bool> UserNameTakenAsync(string normalized, string userId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(u => u.NormalizedUserName == normalized && u.Id != userId, ct);
    }
}
