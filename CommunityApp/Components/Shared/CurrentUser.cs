using CommunityApp.Resources;
using Microsoft.AspNetCore.Components.Authorization;
using CommunityApp.Auth;

namespace CommunityApp.Components.Shared;

public static class CurrentUser
{
    /// <summary>The signed-in user's id from the cascading authentication state; pages behind [Authorize] always have one.</summary>
    public static async Task<string> GetUserIdAsync(this Task<AuthenticationState> state) =>
        (await state).User.GetUserId() ?? throw new ForbiddenException(Text.Get("Error.SignIn"));
}
