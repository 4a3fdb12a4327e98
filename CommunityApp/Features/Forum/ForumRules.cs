using System.Text.RegularExpressions;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Resources;

namespace CommunityApp.Features.Forum;

/// <summary>A thread as typed: title, markdown body and tags (comma- or space-separated).</summary>
public sealed record ThreadInput(string? Title, string? Body, string? Tags);

/// <summary>A category as typed.</summary>
public sealed record CategoryInput(string? Name, string? Description);

/// <summary>The forum changed in a community (a thread when <see cref="ThreadId"/> is set): open forum pages reload.</summary>
public sealed record ForumChanged(Guid CommunityId, Guid? ThreadId) : Events.AppEvent;

/// <summary>The forum's input rules and who-may-what decisions (docs/SPEC.md §10), shared by the service and the queries.</summary>
public static partial class ForumRules
{
    /// <summary>At most this many members are told of the mentions in one post (the first ones written).</summary>
    public const int MaxMentionsPerPost = 50;

    /// <summary>Managers: pin, lock, move, edit and delete anything (admins, the <c>forum_manager</c> role, trust).</summary>
    public static bool MayModerate(MemberStanding member) => PermissionService.Decide(member, Permission.ModerateForum).Allowed;

    /// <summary>Who reads hidden posts: forum managers, flag reviewers and admins (the author too, for their own post).</summary>
    public static bool SeesHidden(MemberStanding member) => MayModerate(member) || PermissionService.Decide(member, Permission.ReviewFlags).Allowed;

    internal static string CheckText(Dictionary<string, string> errors, string field, string? value, int min, int max)
    {
        var text = value?.Trim() ?? "";
        if (text.Length < min || text.Length > max) errors[field] = Text.Get("Error.LengthRange", min, max);
        else if (!Texts.IsStorable(text)) errors[field] = Texts.UnstorableMessage;
        return text;
    }

    internal static string CheckName(Dictionary<string, string> errors, string field, string? value, int min, int max)
    {
        var name = Names.Normalize(value);
        if (name.Length < min || name.Length > max) errors[field] = Text.Get("Error.LengthRange", min, max);
        else if (Names.HasHiddenCharacters(name)) errors[field] = Names.HiddenCharactersMessage;
        return name;
    }

    /// <summary>The tags typed, lower-cased, each once, in the order typed; a message under "tags" when one breaks a rule.</summary>
    internal static List<string> CheckTags(Dictionary<string, string> errors, string? typed)
    {
        var tags = (typed ?? "").Split([',', ' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.TrimStart('#').ToLowerInvariant()).Where(t => t.Length > 0).Distinct().ToList();
        if (tags.Count > ForumThreadTag.MaxPerThread) errors["tags"] = Text.Get("Error.ForumTooManyTags", ForumThreadTag.MaxPerThread);
        else if (tags.Any(t => t.Length > ForumThreadTag.MaxLength)) errors["tags"] = Text.Get("Error.ForumTagTooLong", ForumThreadTag.MaxLength);
        else if (!tags.All(t => TagPattern().IsMatch(t))) errors["tags"] = Text.Get("Error.ForumTagCharacters");
        return tags;
    }

    /// <summary>A tag as the category page's filter takes it (null when it could not be a tag).</summary>
    public static string? NormalizeTag(string? tag)
    {
        var t = tag?.Trim().TrimStart('#').ToLowerInvariant();
        return string.IsNullOrEmpty(t) || t.Length > ForumThreadTag.MaxLength || !TagPattern().IsMatch(t) ? null : t;
    }

    /// <summary>
    /// The usernames a post mentions (<c>@name</c> not preceded by a letter, digit or <c>@</c>, so e-mail addresses do not
    /// count), upper-cased as Identity normalises them, each once, at most <see cref="MaxMentionsPerPost"/>. A name followed
    /// by a full stop ("thanks @ana.") is also tried without its trailing punctuation.
    /// </summary>
    public static IReadOnlyList<string> MentionedNames(string body)
    {
        var names = new List<string>();
        foreach (Match match in MentionPattern().Matches(body))
        {
            var name = match.Groups["name"].Value;
            var trimmed = name.TrimEnd('.', '-', '_');
            foreach (var candidate in trimmed.Length >= 3 && trimmed != name ? [name, trimmed] : new[] { name })
            {
                var normalized = candidate.ToUpperInvariant();
                if (candidate.Length >= 3 && !names.Contains(normalized)) names.Add(normalized);
            }
            if (names.Count >= MaxMentionsPerPost * 2) break;
        }
        return names;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"(?<![\w@])@(?<name>[A-Za-z0-9._-]{3,30})(?![A-Za-z0-9._-])")]
    internal static partial Regex MentionPattern();
}
