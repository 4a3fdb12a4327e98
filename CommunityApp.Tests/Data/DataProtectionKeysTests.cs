using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Data;

/// <summary>Data-protection keys in the database: encrypted with <c>DataProtection:Certificate:*</c> when set (Data/DataProtectionSetup.cs).</summary>
public sealed class DataProtectionKeysTests : IDisposable
{
    private const string CertificatePassword = "pfx-password";
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("communityapp-dp-");

    [Fact]
    public async Task With_a_certificate_the_stored_key_is_encrypted_and_holds_no_plain_master_key()
    {
        await using var app = await StartAsync(Certificate("one"));

        await RenderAFormAsync(app);

        var keys = await StoredKeysAsync(app);
        keys.ShouldNotBeEmpty();
        foreach (var xml in keys)
        {
            xml.ShouldContain("<encryptedSecret");
            xml.ShouldContain("EncryptedData");
            xml.ShouldNotContain("<masterKey");
        }
    }

    [Fact]
    public async Task Without_a_certificate_in_Development_the_key_is_stored_as_plain_xml_without_a_warning()
    {
        await using var app = await StartAsync(certificate: null);

        await RenderAFormAsync(app);

        (await StoredKeysAsync(app)).ShouldHaveSingleItem().ShouldContain("<masterKey");
        app.Logs.ShouldNotContain(line => line.Contains("stored in the database unencrypted"));
    }

    [Fact]
    public async Task Outside_Development_without_a_certificate_start_up_warns_naming_the_setting()
    {
        await using var app = new AppFactory { EnvironmentName = "Production" };
        await app.InitializeAsync();
        app.Settings["Email:Enabled"] = "false";

        app.CreateClient();

        app.Logs.ShouldContain(line => line.Contains("stored in the database unencrypted") && line.Contains(DataProtectionSetup.PathKey));
    }

    [Fact]
    public async Task A_wrong_certificate_password_stops_start_up_naming_both_settings()
    {
        await using var app = new AppFactory();
        await app.InitializeAsync();
        app.Settings[DataProtectionSetup.PathKey] = Certificate("one");
        app.Settings[DataProtectionSetup.PasswordKey] = "not-the-password";

        var ex = Should.Throw<InvalidOperationException>(() => app.CreateClient());

        ex.Message.ShouldContain(DataProtectionSetup.PathKey);
        ex.Message.ShouldContain(DataProtectionSetup.PasswordKey);
    }

    [Fact]
    public async Task Two_instances_with_the_same_certificate_and_database_read_each_others_protected_data_and_another_certificate_cannot()
    {
        var shared = Certificate("shared");
        await using var first = await StartAsync(shared);
        var cookie = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("signed in as ann");

        await using var second = await StartAsync(shared, database: first.ConnectionString);
        second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(cookie).ShouldBe("signed in as ann");

        await using var stranger = await StartAsync(Certificate("stranger"), database: first.ConnectionString);
        Should.Throw<CryptographicException>(() => stranger.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(cookie));
    }

    private async Task<AppFactory> StartAsync(string? certificate, string? database = null)
    {
        var app = new AppFactory();
        await app.InitializeAsync();
        if (certificate is not null)
        {
            app.Settings[DataProtectionSetup.PathKey] = certificate;
            app.Settings[DataProtectionSetup.PasswordKey] = CertificatePassword;
        }
        if (database is not null) app.Settings["ConnectionStrings:Postgres"] = database;
        app.CreateClient();
        return app;
    }

    /// <summary>The sign-in page carries an antiforgery token, which needs a key.</summary>
    private static async Task RenderAFormAsync(AppFactory app)
    {
        var page = await app.CreateClient().GetAsync("/Account/Login", TestContext.Current.CancellationToken);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("__RequestVerificationToken");
    }

    private static async Task<List<string>> StoredKeysAsync(AppFactory app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        return await db.DataProtectionKeys.Select(k => k.Xml ?? "").ToListAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A self-signed RSA certificate with its private key, as a PFX in the test's temp folder.</summary>
    private string Certificate(string name)
    {
        var path = Path.Combine(folder.FullName, name + ".pfx");
        if (File.Exists(path)) return path;
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN=CommunityApp data protection {name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, CertificatePassword));
        return path;
    }

    public void Dispose() => folder.Delete(recursive: true);
}
