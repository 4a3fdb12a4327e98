using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CommunityApp.Data;

/// <summary>
/// Data-protection keys (sign-in and antiforgery cookies, Identity's tokens) live in the app's database, so every instance
/// on that database shares them. With <c>DataProtection:Certificate:Path</c> (a PFX with its private key) and
/// <c>:Password</c> each key is encrypted with the certificate before it is stored; every instance needs the same certificate.
/// Without one the keys are stored as plain XML, and outside Development start-up logs a warning saying so.
/// </summary>
public static class DataProtectionSetup
{
    public const string PathKey = "DataProtection:Certificate:Path";
    public const string PasswordKey = "DataProtection:Certificate:Password";

    public static void AddKeyStorage(this WebApplicationBuilder builder)
    {
        var keys = builder.Services.AddDataProtection().SetApplicationName("CommunityApp").PersistKeysToDbContext<AppDbContext>();
        var path = builder.Configuration[PathKey];
        if (string.IsNullOrWhiteSpace(path))
        {
            if (!builder.Environment.IsDevelopment()) builder.Services.AddHostedService<UnprotectedKeysWarning>();
            return;
        }
        // Also registers the certificate for decrypting, so no certificate store is involved.
        keys.ProtectKeysWithCertificate(Load(path, builder.Configuration[PasswordKey]));
    }

    /// <summary>A constant of this app's own for <c>pg_advisory_xact_lock</c>: "CA keys".</summary>
    private const long KeyRingLock = 0x4341_5F6B_6579_73;

    /// <summary>
    /// On PostgreSQL, makes the key ring's first key (or a new one once none is active) before the app serves, holding an
    /// advisory lock while it looks: instances started together on a new database would otherwise each make a key of
    /// their own at the same moment and protect with it. The framework reads the ring again for a key it does not know
    /// only in its first minutes; after that, until its daily refresh, a cookie or form from one instance would be
    /// refused by another. SQLite has one instance; the framework makes its key on first use.
    /// </summary>
    public static async Task EnsureSharedKeyAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        if (services.GetRequiredService<DatabaseOptions>().Provider != DatabaseProvider.Postgres) return;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({KeyRingLock})", cancellationToken);
        var keys = services.GetRequiredService<IKeyManager>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        // The key manager reads the stored keys afresh (through its own context), so it sees a key another instance has
        // just committed under the same lock.
        if (!keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now))
        {
            keys.CreateNewKey(now, now + services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.NewKeyLifetime);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The PFX, refused at start-up (naming the setting) when it is missing, the password is wrong or it has no private key.</summary>
    public static X509Certificate2 Load(string path, string? password)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new InvalidOperationException($"{PathKey} is \"{path}\", which does not exist.");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(full, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException(
                $"{PathKey} (\"{path}\") cannot be read as a PFX with {PasswordKey}: {ex.Message.TrimEnd('.')}. Check both settings.", ex);
        }
        if (!certificate.HasPrivateKey || certificate.GetRSAPrivateKey() is null)
        {
            throw new InvalidOperationException($"{PathKey} (\"{path}\") holds no RSA private key; the key ring needs one to encrypt and decrypt its keys.");
        }
        return certificate;
    }

    private sealed class UnprotectedKeysWarning(ILogger<UnprotectedKeysWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogWarning("Data-protection keys are stored in the database unencrypted: set {PathKey} (a PFX) and {PasswordKey} to encrypt them at rest",
                PathKey, PasswordKey);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
