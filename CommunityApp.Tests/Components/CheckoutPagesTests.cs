using System.IO.Compression;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Auth;
using MudBlazor;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;
using CommunityApp.Features.Checkout;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>The checkout pages (docs/SPEC.md §19): the QR codes read back as the link, and the page says why a member may not check out.</summary>
public sealed class CheckoutPagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    private async Task<(Guid CommunityId, string Owner, Guid ShareId, Guid LinkId, string Url)> LinkAsync()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var owner = await data.AddMemberAsync(communityId);
        var shareId = await data.Get<ShareService>().CreateAsync(owner, communityId, new ShareInput("Apricot jam", null, WealthKind.Object, 12));
        var (linkId, token) = await data.Get<CheckoutService>().CreateAsync(owner, shareId, new CheckoutLinkInput("Saturday market", 2));
        return (communityId, owner, shareId, linkId, $"c/{communityId}/checkout/{token}");
    }

    [Fact]
    public async Task The_printable_card_shows_a_QR_code_that_reads_back_as_the_links_absolute_url()
    {
        var (communityId, owner, shareId, linkId, path) = await LinkAsync();
        await using var context = PageTestContext.Create(data, owner);
        var url = context.Services.GetRequiredService<PublicUrls>().Absolute(path);
        context.Render<MudPopoverProvider>();

        var page = context.Render<PrintCheckoutLinkPage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.ShareId, shareId).Add(x => x.LinkId, linkId));

        page.WaitForAssertion(() => page.Find("[data-testid=print-card]"));
        page.Find("[data-testid=checkout-url]").TextContent.ShouldBe(url);
        page.Find(".print-title").TextContent.ShouldBe("Saturday market");
        QrPng.Read(page.Find("[data-testid=checkout-qr]").GetAttribute("src")!).ShouldBe(url);
    }

    [Fact]
    public async Task The_owners_link_list_on_the_share_page_shows_each_links_QR_code_and_url()
    {
        var (communityId, owner, shareId, _, path) = await LinkAsync();
        await using var context = PageTestContext.Create(data, owner);
        var url = context.Services.GetRequiredService<PublicUrls>().Absolute(path);
        context.Render<MudPopoverProvider>();

        var page = context.Render<SharePage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.ShareId, shareId));

        page.WaitForAssertion(() => page.Find("[data-testid=checkout-link]"));
        page.Find("[data-testid=checkout-url]").TextContent.ShouldBe(url);
        page.Find("[data-testid=link-stats]").TextContent.ShouldBe("0 units given in 0 checkouts");
        QrPng.Read(page.Find("[data-testid=checkout-qr]").GetAttribute("src")!).ShouldBe(url);
    }

    [Fact]
    public async Task The_checkout_page_says_why_a_member_below_the_threshold_cannot_check_out()
    {
        var (communityId, _, _, _, url) = await LinkAsync();
        var member = await data.AddMemberAsync(communityId, score: 3);
        await using var context = PageTestContext.Create(data, member);
        context.Render<MudPopoverProvider>();

        var page = context.Render<CheckoutPage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.Token, url[(url.LastIndexOf('/') + 1)..]));

        page.WaitForAssertion(() => page.Find("[data-testid=checkout-state]").TextContent.ShouldContain("Needs 5 trust, you have 3"));
        page.Find("[data-testid=checkout-left]").TextContent.ShouldBe("12 of 12 left");
        page.FindAll("button").ShouldNotContain(b => b.TextContent.Contains("Take"));
    }
}

/// <summary>Reads a QR code from a PNG <c>data:</c> URI: the PNG decoded by hand (zlib, scanline filters), then ZXing's QR reader.</summary>
internal static class QrPng
{
    public static string Read(string dataUri)
    {
        const string prefix = "data:image/png;base64,";
        dataUri.ShouldStartWith(prefix);
        var (gray, width, height) = Decode(Convert.FromBase64String(dataUri[prefix.Length..]));
        var bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(gray, width, height, RGBLuminanceSource.BitmapFormat.Gray8)));
        var result = new QRCodeReader().decode(bitmap, new Dictionary<DecodeHintType, object> { [DecodeHintType.PURE_BARCODE] = true });
        result.ShouldNotBeNull("the image holds a readable QR code");
        return result.Text;
    }

    private static (byte[] Gray, int Width, int Height) Decode(byte[] png)
    {
        png[..8].ShouldBe(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }, "a PNG signature");
        int width = 0, height = 0, depth = 0, colour = 0;
        byte[] palette = [];
        using var idat = new MemoryStream();
        for (var at = 8; at < png.Length;)
        {
            var length = (png[at] << 24) | (png[at + 1] << 16) | (png[at + 2] << 8) | png[at + 3];
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var body = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = (body[0] << 24) | (body[1] << 16) | (body[2] << 8) | body[3];
                height = (body[4] << 24) | (body[5] << 16) | (body[6] << 8) | body[7];
                (depth, colour) = (body[8], body[9]);
                body[12].ShouldBe((byte)0, "not interlaced");
            }
            else if (type == "PLTE") palette = body.ToArray();
            else if (type == "IDAT") idat.Write(body);
            at += 12 + length;
        }
        var channels = colour switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new InvalidDataException($"colour type {colour}") };
        var bitsPerPixel = channels * depth;
        var stride = (width * bitsPerPixel + 7) / 8;
        var bpp = Math.Max(1, bitsPerPixel / 8);
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress)) zlib.CopyTo(inflated);
        var raw = inflated.ToArray();
        var rows = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            for (var x = 0; x < stride; x++)
            {
                int a = x >= bpp ? rows[y * stride + x - bpp] : 0, b = y > 0 ? rows[(y - 1) * stride + x] : 0, c = x >= bpp && y > 0 ? rows[(y - 1) * stride + x - bpp] : 0;
                var value = raw[y * (stride + 1) + 1 + x];
                rows[y * stride + x] = (byte)(filter switch
                {
                    0 => value,
                    1 => value + a,
                    2 => value + b,
                    3 => value + (a + b) / 2,
                    4 => value + Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter {filter}"),
                });
            }
        }
        var gray = new byte[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                int Sample(int channel)
                {
                    if (depth == 8) return rows[y * stride + x * channels + channel];
                    var bit = (x * bitsPerPixel) + channel * depth;
                    var v = (rows[y * stride + bit / 8] >> (8 - depth - bit % 8)) & ((1 << depth) - 1);
                    return colour == 3 ? v : v * 255 / ((1 << depth) - 1);
                }
                gray[y * width + x] = colour switch
                {
                    0 or 4 => (byte)Sample(0),
                    3 => palette[Sample(0) * 3],
                    _ => (byte)((Sample(0) + Sample(1) + Sample(2)) / 3),
                };
            }
        return (gray, width, height);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
