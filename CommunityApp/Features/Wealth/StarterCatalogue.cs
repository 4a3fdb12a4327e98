namespace CommunityApp.Features.Wealth;

/// <summary>
/// The catalogue every new community starts with (docs/SPEC.md §2, §5.1): 15 categories and 36 common things and
/// services, each named in English and Spanish. <see cref="Communities.CommunityService.CreateAsync"/> writes them with the
/// community, in its transaction; communities created before the starter items existed keep the catalogue they have.
/// </summary>
public static class StarterCatalogue
{
    private static readonly (string Name, string NameEs, (string Name, string NameEs)[] Children)[] Categories =
    [
        ("Food", "Alimentos", [("Vegetables", "Verduras"), ("Fruit", "Fruta"), ("Preserves", "Conservas")]),
        ("Tools", "Herramientas", [("Garden", "Jardín"), ("Workshop", "Taller")]),
        ("Household", "Hogar", [("Kitchen", "Cocina"), ("Furniture", "Muebles")]),
        ("Services", "Servicios", [("Care", "Cuidados"), ("Repairs", "Reparaciones"), ("Lessons", "Clases"), ("Transport", "Transporte")]),
    ];

    /// <summary>The starter items: English name, Spanish name, kind, and the English name of their category.</summary>
    public static readonly IReadOnlyList<(string Name, string NameEs, WealthKind Kind, string Category)> Items =
    [
        ("Eggs", "Huevos", WealthKind.Object, "Food"),
        ("Bread", "Pan", WealthKind.Object, "Food"),
        ("Carrots", "Zanahorias", WealthKind.Object, "Vegetables"),
        ("Potatoes", "Patatas", WealthKind.Object, "Vegetables"),
        ("Tomatoes", "Tomates", WealthKind.Object, "Vegetables"),
        ("Lettuce", "Lechuga", WealthKind.Object, "Vegetables"),
        ("Onions", "Cebollas", WealthKind.Object, "Vegetables"),
        ("Apples", "Manzanas", WealthKind.Object, "Fruit"),
        ("Lemons", "Limones", WealthKind.Object, "Fruit"),
        ("Oranges", "Naranjas", WealthKind.Object, "Fruit"),
        ("Jam", "Mermelada", WealthKind.Object, "Preserves"),
        ("Honey", "Miel", WealthKind.Object, "Preserves"),
        ("Ladder", "Escalera", WealthKind.Object, "Tools"),
        ("Lawn mower", "Cortacésped", WealthKind.Object, "Garden"),
        ("Wheelbarrow", "Carretilla", WealthKind.Object, "Garden"),
        ("Hedge trimmer", "Cortasetos", WealthKind.Object, "Garden"),
        ("Drill", "Taladro", WealthKind.Object, "Workshop"),
        ("Saw", "Sierra", WealthKind.Object, "Workshop"),
        ("Toolbox", "Caja de herramientas", WealthKind.Object, "Workshop"),
        ("Sewing machine", "Máquina de coser", WealthKind.Object, "Household"),
        ("Vacuum cleaner", "Aspiradora", WealthKind.Object, "Household"),
        ("Large pot", "Olla grande", WealthKind.Object, "Kitchen"),
        ("Food processor", "Robot de cocina", WealthKind.Object, "Kitchen"),
        ("Folding table", "Mesa plegable", WealthKind.Object, "Furniture"),
        ("Folding chairs", "Sillas plegables", WealthKind.Object, "Furniture"),
        ("Childcare", "Cuidado de niños", WealthKind.Service, "Care"),
        ("Pet sitting", "Cuidado de mascotas", WealthKind.Service, "Care"),
        ("Company for older neighbours", "Compañía para vecinos mayores", WealthKind.Service, "Care"),
        ("Bike repair", "Reparación de bicicletas", WealthKind.Service, "Repairs"),
        ("Clothes mending", "Arreglos de ropa", WealthKind.Service, "Repairs"),
        ("Small home repairs", "Pequeños arreglos en casa", WealthKind.Service, "Repairs"),
        ("Language lessons", "Clases de idiomas", WealthKind.Service, "Lessons"),
        ("Homework help", "Ayuda con los deberes", WealthKind.Service, "Lessons"),
        ("Computer help", "Ayuda con el ordenador", WealthKind.Service, "Lessons"),
        ("Lift to town", "Viaje en coche al pueblo", WealthKind.Service, "Transport"),
        ("Help moving house", "Ayuda con la mudanza", WealthKind.Service, "Transport"),
    ];

    /// <summary>The starter categories (top level first, then each one's children) and items of a new community.</summary>
    public static (IReadOnlyList<ItemCategory> Categories, IReadOnlyList<Item> Items) For(Guid communityId)
    {
        var categories = new List<ItemCategory>();
        foreach (var (name, nameEs, children) in Categories)
        {
            var root = new ItemCategory { CommunityId = communityId, Name = name, NameEs = nameEs };
            categories.Add(root);
            categories.AddRange(children.Select(c => new ItemCategory { CommunityId = communityId, ParentId = root.Id, Name = c.Name, NameEs = c.NameEs }));
        }
        var byName = categories.ToDictionary(c => c.Name, c => c.Id);
        var items = Items.Select(i => new Item
        {
            CommunityId = communityId, CategoryId = byName[i.Category], Kind = i.Kind,
            Name = i.Name, NormalizedName = Item.ComparisonKey(i.Name), NameEs = i.NameEs, NormalizedNameEs = Item.ComparisonKey(i.NameEs),
        }).ToList();
        return (categories, items);
    }
}
