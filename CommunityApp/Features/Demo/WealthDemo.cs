using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Sharing (Wealth): Ben keeps the catalogue; 26 shares across every category, things and services, one unit to
/// thirty, with and without expiry, trust caps and per-member caps; requests that went every way the state machine
/// allows (pending, accepted, rejected, cancelled, fulfilled, failed), private threads on a dozen of them, comments,
/// the expiry job run at the days two shares ran out, and Ben's weekly vegetable basket (a recurring share) in its third
/// week, refilled by its job at each boundary. Every move goes through <see cref="ShareService"/>.
/// Runs once: skipped when the community has any share.
/// </summary>
internal sealed class WealthDemo : IDemoStep
{
    /// <summary>
    /// The items the shares name. Those of the starter catalogue (Apples, Jam, Lawn mower, Ladder, Folding chairs, Bike
    /// repair, Language lessons) came with the community and are reused; Ben adds the others, in English and Spanish.
    /// </summary>
    private static readonly (string Name, string NameEs, WealthKind Kind, string Category)[] Items =
    [
        ("Tomato seedlings", "Plantones de tomate", WealthKind.Object, "Vegetables"),
        ("Apples", "Manzanas", WealthKind.Object, "Fruit"),
        ("Jam", "Mermelada", WealthKind.Object, "Preserves"),
        ("Sourdough starter", "Masa madre", WealthKind.Object, "Preserves"),
        ("Lawn mower", "Cortacésped", WealthKind.Object, "Garden"),
        ("Ladder", "Escalera", WealthKind.Object, "Tools"),
        ("Cordless drill", "Taladro inalámbrico", WealthKind.Object, "Workshop"),
        ("Pasta machine", "Máquina de pasta", WealthKind.Object, "Kitchen"),
        ("Folding chairs", "Sillas plegables", WealthKind.Object, "Furniture"),
        ("Babysitting", "Canguro", WealthKind.Service, "Care"),
        ("Bike repair", "Reparación de bicicletas", WealthKind.Service, "Repairs"),
        ("Electrical check", "Revisión eléctrica", WealthKind.Service, "Repairs"),
        ("Language lessons", "Clases de idiomas", WealthKind.Service, "Lessons"),
        ("Tutoring", "Clases particulares", WealthKind.Service, "Lessons"),
        ("Van trip", "Viaje en furgoneta", WealthKind.Service, "Transport"),
    ];

    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        var community = s.CommunityId;
        Dictionary<string, Guid> categories;
        await using (var db = await s.DbAsync(ct))
        {
            if (await db.Shares.IgnoreQueryFilters().AnyAsync(x => x.CommunityId == community, ct)) return false;
            categories = (await db.ItemCategories.Where(c => c.CommunityId == community).Select(c => new { c.Name, c.Id }).ToListAsync(ct))
                .GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.First().Id);
        }
        var shares = s.Shares;
        Guid? Category(string name) => categories.TryGetValue(name, out var id) ? id : null;

        // Ben keeps the catalogue: the item role, then the items neighbours kept asking for that the starter catalogue lacks.
        await s.At(45, 20).Members.GrantFeatureRoleAsync(s["ana"], community, s["ben"], FeatureRole.ItemManager, ct);
        var items = await s.ItemsAsync(ct);
        for (var i = 0; i < Items.Length; i++)
        {
            var (name, nameEs, kind, category) = Items[i];
            if (!items.ContainsKey(name))
                items[name] = await s.At(44, 21, i * 2).Catalog.AddItemAsync(s["ben"], community, name, kind, Category(category), null, nameEs, ct);
        }

        async Task<Guid> Share(int daysAgo, int hour, string owner, string title, string? description, WealthKind kind, int units,
            string category, string? item = null, int? maxPerMember = null, DateTime? expiresAt = null, int? minTrust = null) =>
            await s.At(daysAgo, hour).Shares.CreateAsync(s[owner], community,
                new ShareInput(title, description, kind, units, maxPerMember, expiresAt, minTrust, item is null ? null : items[item], Category(category)), ct);

        async Task<Guid> Ask(int daysAgo, int hour, string requester, Guid share, int units, string? message = null) =>
            await s.At(daysAgo, hour).Shares.RequestAsync(s[requester], share, units, message, ct);

        Task Say(int daysAgo, int hour, string author, Guid request, string body) =>
            s.At(daysAgo, hour, 30).Shares.PostMessageAsync(s[author], request, body, ct);

        // A drill lent out once and now given: its only unit is used, so the share is fulfilled.
        var drill = await Share(42, 18, "gus", "Cordless drill with bits", "18 V, two batteries, a box of wood and masonry bits. Lent for up to a week.",
            WealthKind.Object, 1, "Workshop", "Cordless drill", minTrust: 4);
        var elifDrill = await Ask(41, 9, "elif", drill, 1, "Could I borrow it this weekend to put up shelves?");
        await Say(41, 11, "gus", elifDrill, "Sorry, it's with my brother until Sunday. Ask again next week?");
        await s.At(41, 12).Shares.RejectAsync(s["gus"], elifDrill, ct);
        var kwameDrill = await Ask(38, 19, "kwame", drill, 1, "I need it for a socket job on Thursday.");
        await s.At(38, 21).Shares.AcceptAsync(s["gus"], kwameDrill, ct);
        await Say(38, 21, "kwame", kwameDrill, "Can I pick it up tomorrow after six?");
        await Say(38, 22, "gus", kwameDrill, "Yes, the shed is open. The drill is on the left shelf.");
        await s.At(36, 20).Shares.FulfilAsync(s["kwame"], kwameDrill, ct);

        // Ana's mower: one hand-over that never happened (failed), then one that did.
        var mower = await Share(35, 10, "ana", "Petrol lawn mower", "Self-propelled, 46 cm. Bring it back with a full tank, please.",
            WealthKind.Object, 1, "Garden", "Lawn mower");
        var ivanMower = await Ask(34, 18, "ivan", mower, 1);
        await s.At(34, 20).Shares.AcceptAsync(s["ana"], ivanMower, ct);
        await Say(34, 20, "ivan", ivanMower, "I'll come by on Saturday morning.");
        await Say(30, 9, "ana", ivanMower, "I was away on Saturday, sorry! Next week?");
        await Say(29, 19, "ivan", ivanMower, "Next week I'm working. Let's call it off.");
        await s.At(27, 11).Shares.FailAsync(s["ivan"], ivanMower, ct);
        var joMower = await Ask(26, 9, "jo", mower, 1, "For the school garden on Friday.");
        await s.At(26, 10).Shares.AcceptAsync(s["ana"], joMower, ct);
        await s.At(24, 17).Shares.FulfilAsync(s["ana"], joMower, ct);

        // A cake service that ran out (expired) with one of its two units given.
        var cake = await Share(50, 15, "elif", "Birthday cake to order", "Chocolate or lemon, feeds twelve. Give me three days' notice.",
            WealthKind.Service, 2, "Food", expiresAt: s.Day(20, 18));
        var joCake = await Ask(47, 10, "jo", cake, 1, "Lemon, for my grandson's birthday on the 12th?");
        await s.At(47, 12).Shares.AcceptAsync(s["elif"], joCake, ct);
        await s.At(44, 19).Shares.FulfilAsync(s["jo"], joCake, ct);

        var apples = await Share(30, 8, "lena", "Windfall apples", "Cox and Bramley from the school orchard. Bring a bag and pick them up at the gate.",
            WealthKind.Object, 30, "Fruit", "Apples", maxPerMember: 5, expiresAt: s.Day(6, 20));
        var gusApples = await Ask(29, 17, "gus", apples, 5);
        var joApples = await Ask(29, 18, "jo", apples, 5, "For apple crumble at the school fête.");
        await s.At(29, 19).Shares.AcceptAsync(s["lena"], gusApples, ct);
        await s.At(29, 19, 5).Shares.AcceptAsync(s["lena"], joApples, ct);
        await s.At(28, 10).Shares.FulfilAsync(s["gus"], gusApples, ct);
        await s.At(27, 15).Shares.FulfilAsync(s["lena"], joApples, ct);
        var ivanApples = await Ask(20, 9, "ivan", apples, 3);
        await Say(19, 7, "ivan", ivanApples, "Sorry, I'm away this week after all.");
        await s.At(19, 8).Shares.CancelAsync(s["ivan"], ivanApples, ct);
        var farahApples = await Ask(12, 16, "farah", apples, 4, "The kids want to make juice.");
        await s.At(12, 18).Shares.AcceptAsync(s["lena"], farahApples, ct);
        await s.At(10, 10).Shares.FulfilAsync(s["farah"], farahApples, ct);

        var jam = await Share(25, 20, "elif", "Apricot jam, this summer's batch", "Low sugar, 370 g jars. Empty jars back are welcome!",
            WealthKind.Object, 12, "Preserves", "Jam", maxPerMember: 2);
        var anaJam = await Ask(25, 21, "ana", jam, 2);
        await s.At(24, 8).Shares.AcceptAsync(s["elif"], anaJam, ct);
        await s.At(23, 18).Shares.FulfilAsync(s["ana"], anaJam, ct);
        var kwameJam = await Ask(22, 12, "kwame", jam, 2);
        await s.At(22, 13).Shares.AcceptAsync(s["elif"], kwameJam, ct);
        await s.At(20, 9).Shares.FulfilAsync(s["elif"], kwameJam, ct);
        var dmitriJam = await Ask(6, 19, "dmitri", jam, 2);
        await s.At(6, 21).Shares.AcceptAsync(s["elif"], dmitriJam, ct);
        await Say(6, 21, "dmitri", dmitriJam, "I'll bring last year's jars back too.");
        await Say(6, 22, "elif", dmitriJam, "Perfect, I'm home after five.");
        await Ask(2, 10, "hana", jam, 1, "Just one jar, if there is any left!");

        var starter = await Share(18, 7, "elif", "Sourdough starter", "A spoonful of Bertha, ten years old. Feed her flour and water every day.",
            WealthKind.Object, 8, "Preserves", "Sourdough starter", maxPerMember: 1);
        var hanaStarter = await Ask(17, 20, "hana", starter, 1);
        await s.At(17, 21).Shares.AcceptAsync(s["elif"], hanaStarter, ct);
        await s.At(16, 9).Shares.FulfilAsync(s["hana"], hanaStarter, ct);
        await Ask(3, 22, "mateo", starter, 1, "My first loaf ever, wish me luck.");

        var seedlings = await Share(12, 9, "ben", "Tomato seedlings, six varieties",
            "Gardener's Delight, San Marzano, Black Krim and more, in 9 cm pots. Plant out after the last frost.",
            WealthKind.Object, 24, "Vegetables", "Tomato seedlings", maxPerMember: 6, expiresAt: s.Day(-18, 18));
        var hanaSeedlings = await Ask(11, 18, "hana", seedlings, 4);
        await Say(11, 18, "hana", hanaSeedlings, "Which ones do best in pots on a balcony?");
        await Say(11, 19, "ben", hanaSeedlings, "Gardener's Delight and the yellow pear. I'll put those aside for you.");
        await s.At(11, 20).Shares.AcceptAsync(s["ben"], hanaSeedlings, ct);
        await s.At(9, 10).Shares.FulfilAsync(s["hana"], hanaSeedlings, ct);
        var lenaSeedlings = await Ask(8, 8, "lena", seedlings, 6, "For the school garden beds.");
        await s.At(8, 9).Shares.AcceptAsync(s["ben"], lenaSeedlings, ct);
        var anaSeedlings = await Ask(5, 12, "ana", seedlings, 3);
        await s.At(5, 14).Shares.AcceptAsync(s["ben"], anaSeedlings, ct);
        await s.At(4, 11).Shares.FulfilAsync(s["ben"], anaSeedlings, ct);
        await Ask(2, 20, "mateo", seedlings, 2);
        await s.At(6, 8).Shares.CommentAsync(s["carla"], seedlings, "I'd love some once I can ask for shares!", ct);

        var courgettes = await Share(3, 7, "ben", "Courgettes from the allotment", "More than we can eat. Small ones are the tastiest.",
            WealthKind.Object, 10, "Vegetables", maxPerMember: 3, expiresAt: s.Day(-4, 20));
        await Ask(2, 9, "elif", courgettes, 3, "Courgette cake incoming!");

        // Ben withdraws broken shears; the open request is cancelled with the share.
        var shears = await Share(33, 10, "ben", "Garden shears", "Sharp, a bit rusty.", WealthKind.Object, 1, "Garden");
        await Ask(32, 19, "ivan", shears, 1);
        await s.At(31, 8).Shares.CommentAsync(s["ben"], shears, "Sorry all, the spring snapped. Withdrawing these.", ct);
        await s.At(31, 9).Shares.CancelShareAsync(s["ben"], shears, ct);

        var ladder = await Share(14, 16, "ana", "Extension ladder (6 m)", "Aluminium, two sections. It takes two people to carry.",
            WealthKind.Object, 1, "Tools", "Ladder", minTrust: 4);
        await s.At(5, 18).Shares.CommentAsync(s["hana"], ladder, "Could I borrow it too? It says I need 4 trust.", ct);
        await s.At(5, 20).Shares.CommentAsync(s["ana"], ladder, "Once you reach Stable it's yours to borrow, Hana!", ct);
        await Ask(1, 18, "farah", ladder, 1, "To clear the gutters on Saturday.");

        var pasta = await Share(9, 13, "jo", "Pasta machine", "Marcato Atlas, with the spaghetti cutter.", WealthKind.Object, 1, "Kitchen", "Pasta machine");
        await s.At(8, 19).Shares.CommentAsync(s["elif"], pasta, "It makes lovely ravioli too.", ct);
        await Ask(7, 19, "lena", pasta, 1);

        var chairs = await Share(21, 11, "jo", "Folding chairs", "Twelve wooden folding chairs for parties and meetings. Collect from the church hall.",
            WealthKind.Object, 12, "Furniture", "Folding chairs", maxPerMember: 12);
        var dmitriChairs = await Ask(20, 10, "dmitri", chairs, 6, "For the courtyard repair café.");
        var benChairs = await Ask(20, 14, "ben", chairs, 8, "For the allotment open day.");
        await s.At(20, 16).Shares.AcceptAsync(s["jo"], benChairs, ct);
        await Say(20, 16, "jo", dmitriChairs, "Ben has most of them that weekend. Could you manage with four?");
        await s.At(20, 17).Shares.RejectAsync(s["jo"], dmitriChairs, ct);
        await s.At(18, 22).Shares.FulfilAsync(s["ben"], benChairs, ct);

        var electrics = await Share(28, 20, "kwame", "Electrical safety check",
            "I'll test your sockets and consumer unit and tell you what needs doing. About an hour.",
            WealthKind.Service, 3, "Repairs", "Electrical check", minTrust: 2);
        var anaElectrics = await Ask(27, 8, "ana", electrics, 1);
        await s.At(27, 9).Shares.AcceptAsync(s["kwame"], anaElectrics, ct);
        await s.At(25, 19).Shares.FulfilAsync(s["ana"], anaElectrics, ct);
        var joElectrics = await Ask(9, 10, "jo", electrics, 1);
        await s.At(9, 12).Shares.AcceptAsync(s["kwame"], joElectrics, ct);
        await Say(9, 12, "kwame", joElectrics, "Is Tuesday evening all right?");
        await Say(9, 13, "jo", joElectrics, "Tuesday is perfect. The fuse box is under the stairs.");

        var shelves = await Share(4, 12, "kwame", "Help hanging shelves", "Bring the brackets; I bring the drill and the spirit level.",
            WealthKind.Service, 2, "Repairs", expiresAt: s.Day(-20, 18));
        var anaShelves = await Ask(3, 9, "ana", shelves, 1, "Three shelves in the study.");
        await s.At(2, 8).Shares.AcceptAsync(s["kwame"], anaShelves, ct);
        await Say(2, 8, "kwame", anaShelves, "Sunday at ten?");
        await Say(2, 9, "ana", anaShelves, "Sunday at ten. Coffee will be ready.");

        var bikes = await Share(16, 10, "dmitri", "Bike tune-up", "Brakes, gears, chain and tyres checked and adjusted. Saturday mornings in the courtyard.",
            WealthKind.Service, 5, "Repairs", "Bike repair", maxPerMember: 1, expiresAt: s.Day(-30, 18));
        var mateoBike = await Ask(15, 21, "mateo", bikes, 1);
        await s.At(15, 22).Shares.AcceptAsync(s["dmitri"], mateoBike, ct);
        await s.At(13, 12).Shares.FulfilAsync(s["mateo"], mateoBike, ct);
        var hanaBike = await Ask(14, 8, "hana", bikes, 1, "My gears keep slipping.");
        await s.At(14, 9).Shares.AcceptAsync(s["dmitri"], hanaBike, ct);
        await s.At(13, 13).Shares.FulfilAsync(s["dmitri"], hanaBike, ct);
        var anaBike = await Ask(6, 10, "ana", bikes, 1);
        await s.At(6, 12).Shares.AcceptAsync(s["dmitri"], anaBike, ct);
        await Say(2, 18, "dmitri", anaBike, "I've hurt my wrist, sorry Ana. Next month?");
        await s.At(2, 19).Shares.CancelAsync(s["dmitri"], anaBike, ct);
        await Ask(5, 17, "ivan", bikes, 1);

        var japanese = await Share(27, 18, "hana", "Japanese conversation, one hour", "Beginners welcome. At the café on Mill Lane or online.",
            WealthKind.Service, 6, "Lessons", "Language lessons", maxPerMember: 2);
        var benJapanese = await Ask(26, 20, "ben", japanese, 1);
        await s.At(26, 21).Shares.AcceptAsync(s["hana"], benJapanese, ct);
        await s.At(19, 21).Shares.FulfilAsync(s["ben"], benJapanese, ct);
        var farahJapanese = await Ask(10, 19, "farah", japanese, 2, "For me and my eldest.");
        await s.At(10, 20).Shares.AcceptAsync(s["hana"], farahJapanese, ct);
        var gusJapanese = await Ask(8, 12, "gus", japanese, 1, "Thursday evenings?");
        await Say(8, 14, "hana", gusJapanese, "My Thursdays are full until the summer, sorry!");
        await s.At(8, 14, 45).Shares.RejectAsync(s["hana"], gusJapanese, ct);

        var babysitting = await Share(23, 9, "farah", "Babysitting, weekday evenings", "Up to two children, until ten. I bring my own board games.",
            WealthKind.Service, 4, "Care", "Babysitting", maxPerMember: 2, minTrust: 4);
        var elifBabysitting = await Ask(22, 20, "elif", babysitting, 2);
        await s.At(22, 21).Shares.AcceptAsync(s["farah"], elifBabysitting, ct);
        await s.At(15, 23).Shares.FulfilAsync(s["elif"], elifBabysitting, ct);
        var gusBabysitting = await Ask(7, 10, "gus", babysitting, 1);
        await s.At(6, 9).Shares.CancelAsync(s["gus"], gusBabysitting, ct);

        var van = await Share(5, 8, "ivan", "Van trip to the recycling centre", "Saturday morning; room for furniture and garden waste.",
            WealthKind.Service, 2, "Transport", "Van trip", expiresAt: s.Day(-10, 18));
        var joVan = await Ask(4, 19, "jo", van, 1);
        await s.At(4, 20).Shares.AcceptAsync(s["ivan"], joVan, ct);
        await Say(4, 20, "jo", joVan, "An old armchair and two bags of cuttings.");
        await Say(4, 21, "ivan", joVan, "Fine. I'll ring when I'm outside.");
        await Ask(2, 11, "kwame", van, 1, "A broken washing machine, if it fits.");

        var tutoring = await Share(40, 16, "mateo", "Maths tutoring for teens", "GCSE and A level, an hour at the library or online.",
            WealthKind.Service, 5, "Lessons", "Tutoring");
        var farahTutoring = await Ask(39, 20, "farah", tutoring, 2, "My eldest has exams in June.");
        await s.At(39, 21).Shares.AcceptAsync(s["mateo"], farahTutoring, ct);
        await s.At(32, 18).Shares.FulfilAsync(s["farah"], farahTutoring, ct);

        var workbench = await Share(19, 12, "gus", "Workbench time in my shed", "Use my bench, saws and clamps for an afternoon.",
            WealthKind.Service, 4, "Workshop", maxPerMember: 1);
        var mateoBench = await Ask(18, 9, "mateo", workbench, 1);
        await s.At(18, 11).Shares.AcceptAsync(s["gus"], mateoBench, ct);
        await Say(18, 11, "mateo", mateoBench, "I'd like to build a bookshelf. Is Sunday all right?");
        await Say(18, 12, "gus", mateoBench, "Sunday after lunch. Bring your own wood.");

        var plums = await Share(6, 15, "lena", "Plum tree cuttings", "Rooted cuttings in pots, ready for autumn planting.",
            WealthKind.Object, 6, "Fruit", maxPerMember: 2, expiresAt: s.Day(-60, 18));
        await s.At(5, 20).Shares.CommentAsync(s["gus"], plums, "Which variety?", ct);
        await s.At(5, 21).Shares.CommentAsync(s["lena"], plums, "Victoria, from the old tree by the gate.", ct);

        var bike = await Share(11, 7, "dmitri", "Spare city bike for a week", "Three gears, basket and lights. Lock included.",
            WealthKind.Object, 1, "Transport", minTrust: 4);
        await Ask(10, 8, "gus", bike, 1, "My bike is in for repairs next week.");

        var boxes = await Share(2, 14, "carla", "Moving boxes", "Flat-packed, some tape left on. Take as many as you need.",
            WealthKind.Object, 15, "Household", expiresAt: s.Day(-14, 18));
        await Ask(1, 20, "lena", boxes, 5, "For the orchard apple store, thank you!");

        await Share(1, 21, "nora", "Sewing machine", "Works fine; I never use it.", WealthKind.Object, 1, "Household");

        // Ben's weekly vegetable basket (docs/SPEC.md §5.2): five a week, one per member a week, refilled by the job at each
        // boundary (20, 13 and 6 days ago at eight). Farah's basket of the second week is collected in the third and counts in the second.
        var basket = await s.At(20, 8).Shares.CreateAsync(s["ben"], community, new ShareInput("Vegetable basket from the allotment",
            "Whatever is ripe this week: salad, beans, courgettes, herbs. Collect on Saturday morning at plot 14.",
            WealthKind.Object, 5, MaxUnitsPerMember: 1, CategoryId: Category("Vegetables"), Recurrence: NeedRecurrence.Weekly), ct);
        async Task Basket(int daysAgo, string member, bool collected = true, string? message = null)
        {
            var request = await Ask(daysAgo, 9, member, basket, 1, message);
            await s.At(daysAgo, 12).Shares.AcceptAsync(s["ben"], request, ct);
            if (collected) await s.At(daysAgo - 1, 10).Shares.FulfilAsync(s[member], request, ct);
        }
        await Basket(19, "hana", message: "Beans, if there are any!");
        await Basket(18, "lena");
        await s.At(13, 8, 5).Shares.RefillDueAsync(ct);
        await Basket(12, "hana");
        await Basket(11, "mateo");
        var farahBasket = await Ask(8, 18, "farah", basket, 1, "Could I collect it next Sunday instead?");
        await s.At(8, 19).Shares.AcceptAsync(s["ben"], farahBasket, ct);
        await Say(8, 19, "ben", farahBasket, "Sure, I'll keep it in the shade for you.");
        await s.At(6, 8, 5).Shares.RefillDueAsync(ct);
        await s.At(5, 11).Shares.FulfilAsync(s["farah"], farahBasket, ct);
        await Basket(4, "hana", collected: false);
        await Ask(2, 16, "gus", basket, 1);

        // The expiry job on the days the two expired shares ran out.
        await s.At(20, 18, 5).Shares.ExpireDueAsync(ct);
        await s.At(6, 20, 5).Shares.ExpireDueAsync(ct);
        return true;
    }
}
