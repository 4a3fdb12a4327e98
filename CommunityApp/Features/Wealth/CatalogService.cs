using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Audit;
using CommunityApp.Resources;

namespace CommunityApp.Features.Wealth;

public sealed record ItemRow(Guid Id, string Name, WealthKind Kind, Guid? CategoryId, int? ValuePoints, int ActiveShares);

/// <summary>The community's catalogue (docs/SPEC.md §5.1): categories and items, managed by members with the item permission.</summary>
public sealed class CatalogService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Categories are a short list every share form loads whole: a community keeps at most this many.</summary>
    public const int MaxCategories = 300;

    public async Task<Guid> AddCategoryAsync(string actorId, Guid communityId, string name, Guid? parentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAsync(db, communityId, actorId, Permission.ManageItems, ct);
        var trimmed = ValidName(name);
        if (parentId is { } parent && !await db.ItemCategories.AnyAsync(c => c.Id == parent && c.CommunityId == communityId, ct)) throw Invalid("parentId", Text.Get("Error.UnknownItem"));
        if (await db.ItemCategories.AnyAsync(c => c.CommunityId == communityId && c.ParentId == parentId && c.Name.ToLower() == trimmed.ToLower(), ct))
            throw Invalid("name", Text.Get("Error.NameTaken", trimmed));
        if (await db.ItemCategories.CountAsync(c => c.CommunityId == communityId, ct) >= MaxCategories)
            throw Invalid("name", Text.Get("Error.TooManyCategories", MaxCategories));
        var category = new ItemCategory { CommunityId = communityId, ParentId = parentId, Name = trimmed };
        db.ItemCategories.Add(category);
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.CategoryAdded, new { categoryId = category.Id, name = trimmed, parentId }, at: clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct);
        return category.Id;
    }

    public async Task<Guid> AddItemAsync(string actorId, Guid communityId, string name, WealthKind kind, Guid? categoryId, int? valuePoints, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAsync(db, communityId, actorId, Permission.ManageItems, ct);
        var trimmed = ValidName(name);
        if (!Enum.IsDefined(kind)) throw Invalid("kind", Text.Get("Error.ChooseKind"));
        if (valuePoints is < 0) throw Invalid("valuePoints", Text.Get("Error.NonNegative"));
        if (categoryId is { } category && !await db.ItemCategories.AnyAsync(c => c.Id == category && c.CommunityId == communityId, ct)) throw Invalid("categoryId", Text.Get("Error.UnknownItem"));
        var normalized = trimmed.ToUpperInvariant();
        if (await db.Items.AnyAsync(i => i.CommunityId == communityId && i.NormalizedName == normalized, ct)) throw Invalid("name", Text.Get("Error.NameTaken", trimmed));
        var item = new Item { CommunityId = communityId, Name = trimmed, NormalizedName = normalized, Kind = kind, CategoryId = categoryId, ValuePoints = valuePoints };
        db.Items.Add(item);
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.ItemAdded, new { itemId = item.Id, name = trimmed, kind = kind.ToString(), categoryId, valuePoints }, at: clock.GetUtcNow().UtcDateTime));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            // The unique index: someone added the same name at the same moment.
            throw new ValidationFailedException(new Dictionary<string, string> { ["name"] = Text.Get("Error.NameTaken", trimmed) }, ex);
        }
        return item.Id;
    }

    /// <summary>Soft-deletes an item; refused while active shares offer it.</summary>
    public async Task DeleteItemAsync(string actorId, Guid communityId, Guid itemId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAsync(db, communityId, actorId, Permission.ManageItems, ct);
        var item = await db.Items.SingleOrDefaultAsync(i => i.Id == itemId && i.CommunityId == communityId, ct) ?? throw new NotFoundException(Text.Get("Error.UnknownItem"));
        var active = await db.Shares.CountAsync(s => s.ItemId == itemId && s.Status == ShareStatus.Active, ct);
        if (active > 0) throw new AppException(Text.Get("Error.ItemInUse", item.Name, active));
        item.DeletedAt = clock.GetUtcNow().UtcDateTime;
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.ItemDeleted, new { itemId, name = item.Name }, at: item.DeletedAt));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Renames an item (names stay unique in the community ignoring case); shares and needs keep pointing at it.</summary>
    public async Task RenameItemAsync(string actorId, Guid communityId, Guid itemId, string name, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAsync(db, communityId, actorId, Permission.ManageItems, ct);
        var trimmed = ValidName(name);
        var item = await db.Items.SingleOrDefaultAsync(i => i.Id == itemId && i.CommunityId == communityId, ct) ?? throw new NotFoundException(Text.Get("Error.UnknownItem"));
        var normalized = trimmed.ToUpperInvariant();
        if (item.Name == trimmed) return;
        if (normalized != item.NormalizedName && await db.Items.AnyAsync(i => i.CommunityId == communityId && i.NormalizedName == normalized, ct))
            throw Invalid("name", Text.Get("Error.NameTaken", trimmed));
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.ItemRenamed, new { itemId, name = AuditEntry.Change(item.Name, trimmed) }, at: clock.GetUtcNow().UtcDateTime));
        (item.Name, item.NormalizedName) = (trimmed, normalized);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            throw new ValidationFailedException(new Dictionary<string, string> { ["name"] = Text.Get("Error.NameTaken", trimmed) }, ex);
        }
    }

    /// <summary>Deletes a category no item, share or sub-category uses (docs/SPEC.md §5.1: what is in use stays).</summary>
    public async Task DeleteCategoryAsync(string actorId, Guid communityId, Guid categoryId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAsync(db, communityId, actorId, Permission.ManageItems, ct);
        var category = await db.ItemCategories.SingleOrDefaultAsync(c => c.Id == categoryId && c.CommunityId == communityId, ct)
                       ?? throw new NotFoundException(Text.Get("Error.UnknownItem"));
        var uses = await db.ItemCategories.CountAsync(c => c.ParentId == categoryId, ct)
                   + await db.Items.CountAsync(i => i.CategoryId == categoryId, ct)
                   + await db.Shares.CountAsync(s => s.CategoryId == categoryId && s.Status == ShareStatus.Active, ct);
        if (uses > 0) throw new AppException(Text.Get("Error.CategoryInUse", category.Name, uses));
        db.ItemCategories.Remove(category);
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.CategoryDeleted, new { categoryId, name = category.Name }, at: clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Moves a category under another top-level category, or to the top (the catalogue is two levels deep).</summary>
    public async Task MoveCategoryAsync(string actorId, Guid communityId, Guid categoryId, Guid? parentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAsync(db, communityId, actorId, Permission.ManageItems, ct);
        var category = await db.ItemCategories.SingleOrDefaultAsync(c => c.Id == categoryId && c.CommunityId == communityId, ct)
                       ?? throw new NotFoundException(Text.Get("Error.UnknownItem"));
        if (category.ParentId == parentId) return;
        if (parentId is { } parent)
        {
            var target = await db.ItemCategories.SingleOrDefaultAsync(c => c.Id == parent && c.CommunityId == communityId, ct);
            if (target is null || target.Id == categoryId) throw Invalid("parentId", Text.Get("Error.UnknownItem"));
            if (target.ParentId is not null) throw Invalid("parentId", Text.Get("Error.CategoryDepth"));
            if (await db.ItemCategories.AnyAsync(c => c.ParentId == categoryId, ct)) throw Invalid("parentId", Text.Get("Error.CategoryHasChildren", category.Name));
        }
        if (await db.ItemCategories.AnyAsync(c => c.CommunityId == communityId && c.ParentId == parentId && c.Id != categoryId && c.Name.ToLower() == category.Name.ToLower(), ct))
            throw Invalid("parentId", Text.Get("Error.NameTaken", category.Name));
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.CategoryMoved, new { categoryId, name = category.Name, parentId = AuditEntry.Change(category.ParentId, parentId) },
            at: clock.GetUtcNow().UtcDateTime));
        category.ParentId = parentId;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The community's items by name, optionally only those whose name contains <paramref name="search"/> (ignoring case).</summary>
    public async Task<IReadOnlyList<ItemRow>> ItemsAsync(string viewerId, Guid communityId, CancellationToken ct = default) =>
        await ItemsAsync(viewerId, communityId, null, ct);

    public async Task<IReadOnlyList<ItemRow>> ItemsAsync(string viewerId, Guid communityId, string? search, CancellationToken ct = default)
    {
        if (!Texts.IsStorable(search)) throw Invalid("search", Texts.UnstorableMessage);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await PermissionService.DemandMemberAsync(db, communityId, viewerId, ct);
        var items = db.Items.Where(i => i.CommunityId == communityId);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var text = search.Trim().ToUpperInvariant();
            items = items.Where(i => i.NormalizedName.Contains(text));
        }
        return await items.OrderBy(i => i.Name).Take(500)
            .Select(i => new ItemRow(i.Id, i.Name, i.Kind, i.CategoryId, i.ValuePoints, db.Shares.Count(s => s.ItemId == i.Id && s.Status == ShareStatus.Active)))
            .ToListAsync(ct);
    }

    private static string ValidName(string name)
    {
        // Category and item names are names people pick from lists: the rules of Data/Names.cs.
        var trimmed = Names.Normalize(name);
        if (trimmed.Length == 0) throw Invalid("name", Text.Get("Error.NameRequired"));
        if (trimmed.Length > 100) throw Invalid("name", Text.Get("Error.MaxChars", 100));
        if (Names.HasHiddenCharacters(trimmed)) throw Invalid("name", Names.HiddenCharactersMessage);
        return trimmed;
    }

    private static ValidationFailedException Invalid(string field, string message) => new(new Dictionary<string, string> { [field] = message });
}
