using Microsoft.AspNetCore.Identity;
using CommunityApp.Resources;

namespace CommunityApp.Features.Account;

/// <summary>Validation messages of the account forms, for DataAnnotations' ErrorMessageResourceType, from Strings.resx.</summary>
public static class AccountText
{
    public static string LoginRequired => Text.Get("Account.Error.LoginRequired");
    public static string PasswordRequired => Text.Get("Account.Error.PasswordRequired");
    public static string DisplayNameRequired => Text.Get("Error.DisplayNameRequired");
    public static string DisplayNameLength => Text.Get("Error.MaxChars", 100);
    public static string UserNameRequired => Text.Get("Account.Error.UserNameRequired");
    public static string UserNamePattern => Text.Get("Error.UserNamePattern");
    public static string EmailRequired => Text.Get("Account.Error.EmailRequired");
    public static string EmailInvalid => Text.Get("Account.Error.EmailInvalid");
    public static string PasswordLength => Text.Get("Account.Error.PasswordLength");
    public static string PasswordsDiffer => Text.Get("Account.Error.PasswordsDiffer");
}

/// <summary>Identity's own errors ("Username is taken", password rules) in the user's language.</summary>
public sealed class LocalizedIdentityErrorDescriber : IdentityErrorDescriber
{
    public override IdentityError DuplicateUserName(string userName) => Error(nameof(DuplicateUserName), Text.Get("Error.UserNameTaken", userName));
    public override IdentityError DuplicateEmail(string email) => Error(nameof(DuplicateEmail), Text.Get("Account.Error.EmailTaken", email));
    public override IdentityError InvalidUserName(string? userName) => Error(nameof(InvalidUserName), Text.Get("Error.UserNamePattern"));
    public override IdentityError InvalidEmail(string? email) => Error(nameof(InvalidEmail), Text.Get("Account.Error.EmailInvalid"));
    public override IdentityError PasswordTooShort(int length) => Error(nameof(PasswordTooShort), Text.Get("Account.Error.PasswordLength"));
    public override IdentityError PasswordRequiresDigit() => Error(nameof(PasswordRequiresDigit), Text.Get("Account.Error.PasswordDigit"));
    public override IdentityError PasswordRequiresLower() => Error(nameof(PasswordRequiresLower), Text.Get("Account.Error.PasswordLower"));
    public override IdentityError PasswordRequiresUpper() => Error(nameof(PasswordRequiresUpper), Text.Get("Account.Error.PasswordUpper"));
    public override IdentityError InvalidToken() => Error(nameof(InvalidToken), Text.Get("Account.InvalidResetLink"));

    private static IdentityError Error(string code, string description) => new() { Code = code, Description = description };
}
