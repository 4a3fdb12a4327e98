using QRCoder;

namespace CommunityApp.Features.Checkout;

/// <summary>
/// The QR code of a checkout link as a PNG (QRCoder), handed to the page as a <c>data:</c> URI, which the
/// Content-Security-Policy allows in <c>img-src</c>. Error correction Q, so a slightly smudged print still scans.
/// </summary>
public static class CheckoutQr
{
    public static byte[] Png(string url, int pixelsPerModule = 8)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.Q);
        return new PngByteQRCode(data).GetGraphic(pixelsPerModule);
    }

    public static string DataUri(string url, int pixelsPerModule = 8) => "data:image/png;base64," + Convert.ToBase64String(Png(url, pixelsPerModule));
}
