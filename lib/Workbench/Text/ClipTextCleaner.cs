using System.Net;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Workbench.Text;

/// <summary>
/// CLIP's text cleaning before BPE (<c>clip/simple_tokenizer.py</c>): HTML entities unescaped twice, whitespace runs
/// to one space, trimmed, lower-cased. CLIP also runs <c>ftfy.fix_text</c> (repairs mojibake); there is no .NET port,
/// so text that ftfy would change can tokenize differently. Ordinary, correctly encoded text is unaffected.
/// </summary>
internal sealed partial class ClipTextCleaner : Normalizer
{
    public static ClipTextCleaner Instance { get; } = new();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    public override string Normalize(string original)
    {
        string text = WebUtility.HtmlDecode(WebUtility.HtmlDecode(original));
        return Whitespace().Replace(text, " ").Trim().ToLowerInvariant();
    }

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
