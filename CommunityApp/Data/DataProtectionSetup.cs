using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

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
