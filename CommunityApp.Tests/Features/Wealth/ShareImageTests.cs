using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Wealth;

public sealed class ShareImageTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    [Fact]
    public async Task Only_real_small_images_from_the_owner_are_kept()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var other = await fixture.AddMemberAsync(communityId);
        var shares = fixture.Get<ShareService>();
        var shareId = await shares.CreateAsync(owner, communityId, new ShareInput("Bread", null, WealthKind.Object, 1));

        (await Should.ThrowAsync<ValidationFailedException>(() => shares.SetImageAsync(owner, shareId, new MemoryStream("<script>alert(1)</script>"u8.ToArray()))))
            .Errors["image"].ShouldBe("Only PNG, JPEG, GIF or WebP images can be used.");
        var huge = new byte[ShareImages.MaxBytes + 10];
        Png.CopyTo(huge, 0);
        (await Should.ThrowAsync<ValidationFailedException>(() => shares.SetImageAsync(owner, shareId, new MemoryStream(huge)))).Errors["image"].ShouldBe("The image must be at most 2 MB.");
        await Should.ThrowAsync<ForbiddenException>(() => shares.SetImageAsync(other, shareId, new MemoryStream(Png)));
        (await fixture.Get<WealthQueries>().GetAsync(owner, communityId, shareId)).HasImage.ShouldBeFalse();

        await shares.SetImageAsync(owner, shareId, new MemoryStream(Png));

        (await fixture.Get<WealthQueries>().GetAsync(other, communityId, shareId)).HasImage.ShouldBeTrue();
        ShareImages.Sniff(Png).ShouldBe("image/png");
        ShareImages.Sniff([0xFF, 0xD8, 0xFF, 0xE0]).ShouldBe("image/jpeg");
    }
}
