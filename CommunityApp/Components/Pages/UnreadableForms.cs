using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityApp.Components.Pages;

/// <summary>
/// A posted form the server cannot read at all: ASP.NET Core refuses a form value holding NUL (U+0000), or one past the
/// form limits, before any page sees it, and the antiforgery check then answers with a developer's sentence about
/// tokens. This reads the form first and answers such a post with a page that says what happened and leads back; no
/// page ran, so nothing was saved.
/// </summary>
public static class UnreadableForms
{
    /// <summary>Before antiforgery (which would read the form and fail), after localization (the page is in the client's language).</summary>
    public static void UseUnreadableFormPage(this WebApplication app) => app.Use(async (context, next) =>
    {
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType)
        {
            try
            {
                await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException ex)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UnreadableForms))
                    .LogWarning("A form posted to {Path} could not be read: {Reason}", context.Request.Path, ex.InnerException?.Message ?? ex.Message);
                await new RazorComponentResult<UnreadableForm>(new { Back = context.Request.Path.Value ?? "/" }) { StatusCode = StatusCodes.Status400BadRequest }
                    .ExecuteAsync(context);
                return;
            }
        }
        await next(context);
    });
}
