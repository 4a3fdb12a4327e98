using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Audit;
using CommunityApp.Resources;

namespace CommunityApp.Features.Wealth;

/// <summary>
/// An item as the catalogue lists it: <see cref="Name"/> in the viewer's language (docs/SPEC.md §5.1), and both stored
/// names for the form that edits them.
/// </summary>
public sealed record ItemRow(Guid Id, string Name, string EnglishName, string? SpanishName, WealthKind Kind, Guid? CategoryId, int? ValuePoints, int ActiveShares);

/// <summary>
/// The community's catalogue (docs/SPEC.md §5.1): categories and items, managed by members with the item permission. Items
/// and categories have an English name and an optional Spanish one; the field of the Spanish name is <c>nameEs</c>.
/// </summary>
public sealed class CatalogService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Categories are a short list every share form loads whole: a community keeps at most this many.</summary>
    public const int MaxCategories = 300;

    public async Task<Guid> AddCategoryAsync(string actorId, Guid communityId, string name, Guid? parentId, string? nameEs = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAsync(db, communityId, actorId, Permission.ManageItems, ct);
        var (english, spanish) = ValidNames(name, nameEs);
        if (parentId is { } parent && !await db.ItemCategories.AnyAsync(c => c.Id == parent && c.CommunityId == communityId, ct)) throw Invalid("parentId", Text.Get("Error.UnknownItem"));
        // Each language's name is unique among the category's siblings, ignoring case.
        var siblings = await db.ItemCategories
            .Where(c => c.CommunityId == communityId && c.ParentId == parentId
                        && (c.Name.ToLower() == english.ToLower() || (spanish != null && c.NameEs != null && c.NameEs.ToLower() == spanish.ToLower())))
            .Select(c => new { English = c.Name.ToLower() == english.ToLower(), Spanish = spanish != null && c.NameEs != null && c.NameEs.ToLower() == spanish.ToLower() })
            .ToListAsync(ct);
        var errors = new Dictionary<string, string>();
        if (siblings.Any(c => c.English)) errors["name"] = Text.Get("Error.NameTaken", english);
        if (siblings.Any(c => c.Spanish)) errors["nameEs"] = Text.Get("Error.NameTaken", spanish);
        ValidationFailedException.ThrowIfAny(errors);
        if (await db.ItemCategories.CountAsync(c => c.CommunityId == communityId, ct) >= MaxCategories)
            throw Invalid("name", Text.Get("Error.TooManyCategories", MaxCategories));
        var category = new ItemCategory { CommunityId = communityId, ParentId = parentId, Name = english, NameEs = spanish };
        db.ItemCategories.Add(category);
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.CategoryAdded, new { categoryId = category.Id, name = english, nameEs = spanish, parentId }, at: clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct);
        return category.Id;
    }

    public async Task<Guid> AddItemAsync(string actorId, Guid communityId, string name, WealthKind kind, Guid? categoryId, int? valuePoints, string? nameEs = null,
        CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAsync(db, communityId, actorId, Permission.ManageItems, ct);
        var (english, spanish) = ValidNames(name, nameEs);
        if (!Enum.IsDefined(kind)) throw Invalid("kind", Text.Get("Error.ChooseKind"));
        if (valuePoints is < 0 or > Item.MaxValuePoints) throw Invalid("valuePoints", Text.Get("Recognition.Error.ItemValue", Item.MaxValuePoints));
        if (categoryId is { } category && !await db.ItemCategories.AnyAsync(c => c.Id == category && c.CommunityId == communityId, ct)) throw Invalid("categoryId", Text.Get("Error.UnknownItem"));
        ValidationFailedException.ThrowIfAny(await TakenAsync(db, communityId, null, english, spanish, ct));
        var item = new Item
        {
            CommunityId = communityId, Kind = kind, CategoryId = categoryId, ValuePoints = valuePoints,
            Name = english, NormalizedName = Item.ComparisonKey(english), NameEs = spanish, NormalizedNameEs = spanish is null ? null : Item.ComparisonKey(spanish),
        };
        db.Items.Add(item);
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.ItemAdded,
            new { itemId = item.Id, name = english, nameEs = spanish, kind = kind.ToString(), categoryId, valuePoints }, at: clock.GetUtcNow().UtcDateTime));
        await SaveNamesAsync(db, communityId, item.Id, english, spanish, ct);
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
        if (active > 0) throw new AppException(Text.Get("Error.ItemInUse", CatalogNames.Shown(item.Name, item.NameEs), active));
        item.DeletedAt = clock.GetUtcNow().UtcDateTime;
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.ItemDeleted, new { itemId, name = item.Name, nameEs = item.NameEs }, at: item.DeletedAt));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Renames an item in both languages (<paramref name="nameEs"/> null or blank: no Spanish name). Each language's name
    /// stays unique in the community ignoring case; shares and needs keep pointing at the item. The audit entry lists both
    /// names, each changed one as old → new; nothing changed, nothing written.
    /// </summary>
    public async Task RenameItemAsync(string actorId, Guid communityId, Guid itemId, string name, string? nameEs, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAsync(db, communityId, actorId, Permission.ManageItems, ct);
        var (english, spanish) = ValidNames(name, nameEs);
        var item = await db.Items.SingleOrDefaultAsync(i => i.Id == itemId && i.CommunityId == communityId, ct) ?? throw new NotFoundException(Text.Get("Error.UnknownItem"));
        if (item.Name == english && item.NameEs == spanish) return;
        ValidationFailedException.ThrowIfAny(await TakenAsync(db, communityId, itemId, english, spanish, ct));
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.ItemRenamed, new
        {
            itemId,
            name = item.Name == english ? english : AuditEntry.Change(item.Name, english),
            nameEs = item.NameEs == spanish ? spanish : AuditEntry.Change(item.NameEs, spanish),
        }, at: clock.GetUtcNow().UtcDateTime));
        (item.Name, item.NormalizedName) = (english, Item.ComparisonKey(english));
        (item.NameEs, item.NormalizedNameEs) = (spanish, spanish is null ? null : Item.ComparisonKey(spanish));
        await SaveNamesAsync(db, communityId, itemId, english, spanish, ct);
    }

    /// <summary>
    /// Sets or clears (null) an item's value per unit (docs/SPEC.md §18): 0 … <see cref="Item.MaxValuePoints"/>, audited old → new.
    /// Entries already logged keep the value of their moment.
    /// </summary>
    public async Task SetItemValueAsync(string actorId, Guid communityId, Guid itemId, int? valuePoints, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await PermissionService.DemandAsync(db, communityId, actorId, Permission.ManageItems, ct);
        if (valuePoints is < 0 or > Item.MaxValuePoints) throw Invalid("valuePoints", Text.Get("Recognition.Error.ItemValue", Item.MaxValuePoints));
        var item = await db.Items.SingleOrDefaultAsync(i => i.Id == itemId && i.CommunityId == communityId, ct) ?? throw new NotFoundException(Text.Get("Error.UnknownItem"));
        if (item.ValuePoints == valuePoints) return;
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.ItemValueChanged,
            new { itemId, name = item.Name, valuePoints = AuditEntry.Change(item.ValuePoints, valuePoints) }, at: clock.GetUtcNow().UtcDateTime));
        item.ValuePoints = valuePoints;
        await db.SaveChangesAsync(ct);
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
        if (uses > 0) throw new AppException(Text.Get("Error.CategoryInUse", CatalogNames.Shown(category.Name, category.NameEs), uses));
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
            if (await db.ItemCategories.AnyAsync(c => c.ParentId == categoryId, ct))
                throw Invalid("parentId", Text.Get("Error.CategoryHasChildren", CatalogNames.Shown(category.Name, category.NameEs)));
        }
        // Its names stay unique among its new siblings, in each language.
        var (english, spanish) = (category.Name.ToLower(), category.NameEs?.ToLower());
        var clash = await db.ItemCategories
            .Where(c => c.CommunityId == communityId && c.ParentId == parentId && c.Id != categoryId
                        && (c.Name.ToLower() == english || (spanish != null && c.NameEs != null && c.NameEs.ToLower() == spanish)))
            .Select(c => new { English = c.Name.ToLower() == english }).FirstOrDefaultAsync(ct);
        if (clash is not null) throw Invalid("parentId", Text.Get("Error.NameTaken", clash.English ? category.Name : category.NameEs));
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.CategoryMoved, new { categoryId, name = category.Name, parentId = AuditEntry.Change(category.ParentId, parentId) },
            at: clock.GetUtcNow().UtcDateTime));
        category.ParentId = parentId;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The community's items by the name the viewer reads (docs/SPEC.md §5.1), optionally only those whose English or
    /// Spanish name contains <paramref name="search"/> (ignoring case).
    /// </summary>
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
            var text = Item.ComparisonKey(search.Trim());
            items = items.Where(i => i.NormalizedName.Contains(text) || (i.NormalizedNameEs != null && i.NormalizedNameEs.Contains(text)));
        }
        var es = CatalogNames.Spanish;
        return await items.OrderBy(i => es && i.NameEs != null ? i.NameEs : i.Name).ThenBy(i => i.Id).Take(500)
            .Select(i => new ItemRow(i.Id, es && i.NameEs != null ? i.NameEs : i.Name, i.Name, i.NameEs, i.Kind, i.CategoryId, i.ValuePoints,
                db.Shares.Count(s => s.ItemId == i.Id && s.Status == ShareStatus.Active)))
            .ToListAsync(ct);
    }

    /// <summary>
    /// The English name (required, field <c>name</c>) and the Spanish one (optional: blank is none, field <c>nameEs</c>),
    /// as stored. Category and item names are names people pick from lists: the rules of Data/Names.cs.
    /// </summary>
    private static (string English, string? Spanish) ValidNames(string? name, string? nameEs)
    {
        var errors = new Dictionary<string, string>();
        var english = ValidName(name, "name", errors);
        var spanish = ValidName(nameEs, "nameEs", errors);
        if (english is null && !errors.ContainsKey("name")) errors["name"] = Text.Get("Error.NameRequired");
        ValidationFailedException.ThrowIfAny(errors);
        return (english!, spanish);
    }

    private static string? ValidName(string? name, string field, Dictionary<string, string> errors)
    {
        var trimmed = Names.Normalize(name);
        if (trimmed.Length == 0) return null;
        if (trimmed.Length > Item.NameMaxLength) errors[field] = Text.Get("Error.MaxChars", Item.NameMaxLength);
        else if (Names.HasHiddenCharacters(trimmed)) errors[field] = Names.HiddenCharactersMessage;
        return trimmed;
    }

    /// <summary>Field messages for the names another live item of the community already has, ignoring case, in either language.</summary>
    private static async Task<Dictionary<string, string>> TakenAsync(AppDbContext db, Guid communityId, Guid? except, string name, string? nameEs, CancellationToken ct)
    {
        var (key, keyEs) = (Item.ComparisonKey(name), nameEs is null ? null : Item.ComparisonKey(nameEs));
        var taken = await db.Items
            .Where(i => i.CommunityId == communityId && i.Id != except && (i.NormalizedName == key || (keyEs != null && i.NormalizedNameEs == keyEs)))
            .Select(i => new { English = i.NormalizedName == key, Spanish = keyEs != null && i.NormalizedNameEs == keyEs })
            .ToListAsync(ct);
        var errors = new Dictionary<string, string>();
        if (taken.Any(t => t.English)) errors["name"] = Text.Get("Error.NameTaken", name);
        if (taken.Any(t => t.Spanish)) errors["nameEs"] = Text.Get("Error.NameTaken", nameEs);
        return errors;
    }

    /// <summary>Saves an added or renamed item; a unique index refusing it (someone took a name at the same moment) is that name's field message.</summary>
    private static async Task SaveNamesAsync(AppDbContext db, Guid communityId, Guid itemId, string name, string? nameEs, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            var errors = await TakenAsync(db, communityId, itemId, name, nameEs, ct);
            throw new ValidationFailedException(errors.Count > 0 ? errors : new Dictionary<string, string> { ["name"] = Text.Get("Error.NameTaken", name) }, ex);
        }
    }

    private static ValidationFailedException Invalid(string field, string message) => new(new Dictionary<string, string> { [field] = message });
}
