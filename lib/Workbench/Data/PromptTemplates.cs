namespace Workbench.Data;

/// <summary>
/// Caption templates for class names, as in CLIP's zero-shot classification (Radford et al., 2021, section 3.1.4):
/// a class is described by several phrasings ("a photo of a {}.", "a blurry photo of a {}." ...) and their text
/// embeddings are averaged, which beat the bare class name by several points on ImageNet. <c>{}</c> marks the class.
/// </summary>
public static class PromptTemplates
{
    /// <summary>The placeholder a template's class name replaces.</summary>
    public const string Placeholder = "{}";

    /// <summary>
    /// The default ensemble: a selection of CLIP's 80 ImageNet templates that suit small grey product photos.
    /// The first, "a photo of a {}.", is the canonical single prompt.
    /// </summary>
    public static readonly IReadOnlyList<string> Default =
    [
        "a photo of a {}.",
        "a blurry photo of a {}.",
        "a black and white photo of a {}.",
        "a low resolution photo of a {}.",
        "a photo of the {}.",
        "a close-up photo of a {}.",
        "an image of a {}.",
        "a picture of a {}.",
        "a cropped photo of a {}.",
        "a good photo of a {}.",
        "a pixelated photo of the {}.",
        "a photo of a small {}.",
    ];

    /// <summary>Every template of a list (default: <see cref="Default"/>) applied to one class name, in order.</summary>
    public static IReadOnlyList<string> ForClass(string className, IReadOnlyList<string>? templates = null) =>
        (templates ?? Default).Select(t => Apply(t, className)).ToArray();

    /// <summary>
    /// The template with its <c>{}</c> replaced by the class name, and an article just before it made to agree:
    /// "a photo of a {}." with "ankle boot" gives "a photo of an ankle boot.".
    /// </summary>
    public static string Apply(string template, string className)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentException.ThrowIfNullOrWhiteSpace(className);
        int at = template.IndexOf(Placeholder, StringComparison.Ordinal);
        if (at < 0 || template.IndexOf(Placeholder, at + 1, StringComparison.Ordinal) >= 0)
            throw new ArgumentException($"template \"{template}\" must hold exactly one {Placeholder}", nameof(template));

        string before = template[..at];
        string after = template[(at + Placeholder.Length)..];
        foreach (var article in new[] { "an ", "a ", "An ", "A " })
        {
            if (!before.EndsWith(article, StringComparison.Ordinal)) continue;
            int start = before.Length - article.Length;
            if (start > 0 && char.IsLetter(before[start - 1])) continue; // "...ta {}" is not an article
            string fixedArticle = Article(className);
            if (char.IsUpper(article[0])) fixedArticle = char.ToUpperInvariant(fixedArticle[0]) + fixedArticle[1..];
            before = before[..start] + fixedArticle + " ";
            break;
        }
        return before + className + after;
    }

    /// <summary>The phrase with its indefinite article: "an ankle boot", "a red sneaker", "an orange bag".</summary>
    public static string WithArticle(string phrase) => Article(phrase) + " " + phrase;

    /// <summary>
    /// "an" before a vowel sound, else "a". Decided by spelling: a vowel letter means a vowel sound, except the
    /// common "yoo"/"wuh" openings (uni-, use-, one-, eu-), and "h" is silent in hour/honest/honour/heir.
    /// </summary>
    public static string Article(string word)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(word);
        string w = word.TrimStart().ToLowerInvariant();
        string[] consonantSounds = ["uni", "use", "usu", "one", "once", "eu", "ewe"];
        string[] silentH = ["hour", "honest", "honour", "honor", "heir"];
        if (consonantSounds.Any(p => w.StartsWith(p, StringComparison.Ordinal))) return "a";
        if (silentH.Any(p => w.StartsWith(p, StringComparison.Ordinal))) return "an";
        return "aeiou".Contains(w[0]) ? "an" : "a";
    }
}
