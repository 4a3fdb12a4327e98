using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Skills;
using CommunityApp.Resources;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Infrastructure.Refusals;

namespace CommunityApp.Tests.Features.Skills;

/// <summary>Skills and endorsements (docs/SPEC.md §17) on PostgreSQL: every rule, every refusal and the rows each writes.</summary>
public sealed class SkillServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private SkillService Service => fixture.Get<SkillService>();

    private async Task<int> SkillRowsAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Skills.CountAsync(s => s.UserId == userId);
    }

    private async Task<int> EndorsementsAsync(Guid skillId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.SkillEndorsements.CountAsync(e => e.SkillId == skillId);
    }

    [Theory]
    [InlineData("Carpentry", "Carpentry")]
    [InlineData("  bike   repair ", "bike repair")]
    [InlineData("Cooking & baking", "Cooking & baking")]
    [InlineData("First-aid 2", "First-aid 2")]
    [InlineData("Ремонт велосипедов", "Ремонт велосипедов")]
    [InlineData("日本語", "日本語")]
    [InlineData("हिन्दी", "हिन्दी")]
    public async Task A_skill_of_letters_in_any_script_digits_spaces_dashes_and_ampersands_is_added(string name, string stored)
    {
        var user = await fixture.CreateUserAsync();

        var id = await Service.AddAsync(user, name);

        (await Service.MineAsync(user)).ShouldBe([new MySkill(id, stored)]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("C#")]
    [InlineData("Repairs!")]
    [InlineData("a/b")]
    [InlineData("- & -")]
    [InlineData("x\u200By")]
    [InlineData("<script>")]
    public async Task A_name_breaking_the_rule_gets_a_field_message_and_saves_nothing(string name)
    {
        var user = await fixture.CreateUserAsync();

        var errors = await FieldErrors(() => Service.AddAsync(user, name));

        errors["skill"].ShouldBe(Text.Get("Skills.Error.Name", 50));
        (await SkillRowsAsync(user)).ShouldBe(0);
    }

    [Fact]
    public async Task Fifty_characters_are_accepted_and_fifty_one_refused()
    {
        var user = await fixture.CreateUserAsync();

        await Service.AddAsync(user, new string('a', 50));
        (await FieldErrors(() => Service.AddAsync(user, new string('b', 51))))["skill"].ShouldBe(Text.Get("Skills.Error.Name", 50));

        (await SkillRowsAsync(user)).ShouldBe(1);
    }

    [Fact]
    public async Task A_duplicate_ignoring_case_and_spacing_gets_a_field_message()
    {
        var user = await fixture.CreateUserAsync();
        await Service.AddAsync(user, "Bike repair");

        var errors = await FieldErrors(() => Service.AddAsync(user, "  BIKE   REPAIR"));

        errors["skill"].ShouldBe("You already list BIKE REPAIR.");
        (await SkillRowsAsync(user)).ShouldBe(1);
        // Another user may list the same skill.
        await Service.AddAsync(await fixture.CreateUserAsync(), "bike repair");
    }

    [Fact]
    public async Task Ten_parallel_adds_of_one_skill_store_it_once()
    {
        var user = await fixture.CreateUserAsync();

        var wins = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Race.Attempt(() => Service.AddAsync(user, i % 2 == 0 ? "Welding" : "welding"))));

        wins.Count(w => w).ShouldBe(1);
        (await SkillRowsAsync(user)).ShouldBe(1);
    }

    [Fact]
    public async Task A_profile_lists_at_most_thirty_skills()
    {
        var user = await fixture.CreateUserAsync();
        for (var i = 0; i < Skill.MaxPerUser; i++) await Service.AddAsync(user, $"Skill {i}");

        (await FieldErrors(() => Service.AddAsync(user, "One more"))).ShouldContainKeyAndValue("skill", Text.Get("Skills.Error.TooMany", 30));
        (await SkillRowsAsync(user)).ShouldBe(30);
    }

    [Fact]
    public async Task Removing_a_skill_removes_its_endorsements_and_only_its_owner_may()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var skill = await Service.AddAsync(owner, "Sewing");
        await Service.EndorseAsync(admin, communityId, skill);

        (await Refusal(() => Service.RemoveAsync(admin, skill))).ShouldBe(Text.Get("Skills.Error.NotFound"));
        (await EndorsementsAsync(skill)).ShouldBe(1);
        await Service.RemoveAsync(owner, skill);

        (await SkillRowsAsync(owner)).ShouldBe(0);
        (await EndorsementsAsync(skill)).ShouldBe(0);
    }

    [Fact]
    public async Task Endorsing_needs_the_endorse_permission_and_says_why()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var skill = await Service.AddAsync(owner, "Plumbing");
        var newcomer = await fixture.AddMemberAsync(communityId, score: 4);

        var refusal = await Should.ThrowAsync<ForbiddenException>(() => Service.EndorseAsync(newcomer, communityId, skill));

        refusal.Message.ShouldBe("You need 10 trust to endorse skills; you have 4.");
        (await EndorsementsAsync(skill)).ShouldBe(0);
        var endorser = await fixture.AddMemberAsync(communityId, score: 10);
        await Service.EndorseAsync(endorser, communityId, skill);
        (await EndorsementsAsync(skill)).ShouldBe(1);
    }

    [Fact]
    public async Task An_endorsement_notifies_the_member_counts_in_its_community_only_and_can_be_withdrawn()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var (otherCommunity, otherAdmin) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        await fixture.AddMemberAsync(otherCommunity, userId: owner);
        var skill = await Service.AddAsync(owner, "Carpentry");
        var endorser = await fixture.AddMemberAsync(communityId, score: 12);

        await Service.EndorseAsync(endorser, communityId, skill);

        (await Service.TopSkillsAsync(endorser, communityId, [owner]))[owner].ShouldBe([new SkillCount(skill, "Carpentry", 1)]);
        (await Service.TopSkillsAsync(otherAdmin, otherCommunity, [owner]))[owner].ShouldBe([new SkillCount(skill, "Carpentry", 0)]);
        await using (var db = await fixture.NewContextAsync())
        {
            var notification = await db.Notifications.SingleAsync(n => n.UserId == owner && n.Kind == NotificationKind.SkillEndorsed);
            notification.Subject.ShouldBe("Carpentry");
            notification.Link.ShouldBe($"/c/{communityId}/skills");
            notification.CommunityId.ShouldBe(communityId);
        }
        (await Refusal(() => Service.EndorseAsync(endorser, communityId, skill))).ShouldBe(Text.Get("Skills.Error.AlreadyEndorsed"));

        await Service.WithdrawAsync(endorser, communityId, skill);

        (await EndorsementsAsync(skill)).ShouldBe(0);
        (await Refusal(() => Service.WithdrawAsync(endorser, communityId, skill))).ShouldBe(Text.Get("Skills.Error.NotEndorsed"));
    }

    [Fact]
    public async Task Endorsing_a_fifty_character_skill_in_another_script_notifies_with_a_short_link()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var skill = await Service.AddAsync(owner, new string('語', 50));

        await Service.EndorseAsync(admin, communityId, skill);

        await using var db = await fixture.NewContextAsync();
        (await db.Notifications.SingleAsync(n => n.UserId == owner && n.Kind == NotificationKind.SkillEndorsed)).Subject.ShouldBe(new string('語', 50));
    }

    [Fact]
    public async Task A_self_endorsement_is_allowed_counts_one_and_sends_no_notification()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId, score: 10);
        var skill = await Service.AddAsync(owner, "Gardening");

        await Service.EndorseAsync(owner, communityId, skill);

        (await Service.TopSkillsAsync(owner, communityId, [owner]))[owner].Single().Endorsements.ShouldBe(1);
        await using var db = await fixture.NewContextAsync();
        (await db.Notifications.CountAsync(n => n.UserId == owner && n.Kind == NotificationKind.SkillEndorsed)).ShouldBe(0);
    }

    [Fact]
    public async Task A_skill_of_someone_outside_the_community_cannot_be_endorsed_there()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var stranger = await fixture.CreateUserAsync();
        var skill = await Service.AddAsync(stranger, "Masonry");

        (await Should.ThrowAsync<NotFoundException>(() => Service.EndorseAsync(admin, communityId, skill))).Message.ShouldBe(Text.Get("Skills.Error.NotFound"));
        (await EndorsementsAsync(skill)).ShouldBe(0);
    }

    [Fact]
    public async Task Ten_parallel_endorsements_by_one_member_count_once()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var endorser = await fixture.AddMemberAsync(communityId, score: 10);
        var skill = await Service.AddAsync(owner, "Electrics");

        var wins = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Race.Attempt(() => Service.EndorseAsync(endorser, communityId, skill))));

        wins.Count(w => w).ShouldBe(1);
        (await EndorsementsAsync(skill)).ShouldBe(1);
        await using var db = await fixture.NewContextAsync();
        (await db.Notifications.CountAsync(n => n.UserId == owner && n.Kind == NotificationKind.SkillEndorsed)).ShouldBe(1);
    }

    [Fact]
    public async Task The_member_list_gets_each_members_top_three_skills_most_endorsed_first()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var quiet = await fixture.AddMemberAsync(communityId);
        var endorsers = new List<string> { admin };
        for (var i = 0; i < 3; i++) endorsers.Add(await fixture.AddMemberAsync(communityId, score: 10));
        var skills = new Dictionary<string, Guid>();
        foreach (var name in new[] { "Baking", "Cycling", "Drawing", "Accounting" }) skills[name] = await Service.AddAsync(owner, name);
        foreach (var (name, count) in new[] { ("Cycling", 3), ("Drawing", 2), ("Accounting", 1) })
            foreach (var endorser in endorsers.Take(count)) await Service.EndorseAsync(endorser, communityId, skills[name]);

        var top = await Service.TopSkillsAsync(admin, communityId, [owner, quiet]);

        top[owner].Select(s => (s.Name, s.Endorsements)).ShouldBe([("Cycling", 3), ("Drawing", 2), ("Accounting", 1)]);
        top.ContainsKey(quiet).ShouldBeFalse();
    }

    [Fact]
    public async Task Who_can_help_with_a_skill_finds_members_by_part_of_the_name_most_endorsed_first()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var ana = await fixture.AddMemberAsync(communityId);
        var ben = await fixture.AddMemberAsync(communityId);
        var stranger = await fixture.CreateUserAsync();
        var anaSkill = await Service.AddAsync(ana, "Furniture carpentry");
        var benSkill = await Service.AddAsync(ben, "Carpentry");
        await Service.AddAsync(ben, "Knitting");
        await Service.AddAsync(stranger, "Carpentry");
        var endorser = await fixture.AddMemberAsync(communityId, score: 10);
        await Service.EndorseAsync(endorser, communityId, benSkill);
        await Service.EndorseAsync(admin, communityId, benSkill);
        await Service.EndorseAsync(admin, communityId, anaSkill);

        var page = await Service.SearchAsync(admin, communityId, "CARPENTRY", 0, 10);

        page.Total.ShouldBe(2);
        page.Items.Select(r => (r.SkillName, r.Endorsements, r.EndorsedByMe)).ShouldBe([("Carpentry", 2, true), ("Furniture carpentry", 1, true)]);
        (await Service.SearchAsync(endorser, communityId, "carp", 0, 10)).Items.Select(r => r.EndorsedByMe).ShouldBe([true, false]);
        (await Service.SearchAsync(admin, communityId, "", 0, 10)).Total.ShouldBe(3);
        (await FieldErrors(() => Service.SearchAsync(admin, communityId, "\0", 0, 10))).ShouldContainKey("search");
    }
}
