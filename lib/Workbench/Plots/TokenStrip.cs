using System.Net;
using System.Text;
using Workbench.Data;
using Workbench.Data.Interleaved;
using Workbench.Text;
using Workbench.Training.Language;

namespace Workbench.Plots;

/// <summary>What a token is to the model that reads it.</summary>
public enum TokenRole
{
    /// <summary>Read but not predicted: no loss (the prompt, the question, a given caption).</summary>
    Context,
    /// <summary>Predicted with loss: the model is trained to produce this token (an answer, a requested caption).</summary>
    Supervised,
    /// <summary>An image's place: one projected vision token (LLaVA), or the image itself (an interleaved document), not a word.</summary>
    Image,
    /// <summary>Padding that fills a batch out to one length.</summary>
    Padding,
}

/// <summary>One token as drawn: its text and its role.</summary>
/// <param name="Text">The token's text (a word or BPE piece as its tokenizer decodes it alone, a special token such as <c>&lt;eos&gt;</c>, or an image slot's name).</param>
/// <param name="Role">What the token is to the model.</param>
/// <param name="Image">An image drawn in the token's place (an interleaved document's image); null: the text.</param>
public sealed record TokenCell(string Text, TokenRole Role, RgbImage? Image = null);

/// <summary>One labelled sequence of a <see cref="TokenStrip"/>.</summary>
/// <param name="Label">Shown before the tokens.</param>
/// <param name="Cells">The tokens in order.</param>
public sealed record TokenStripRow(string Label, IReadOnlyList<TokenCell> Cells);

/// <summary>
/// Token sequences drawn as rows of coloured chips, so the eye sees what a model reads, which tokens carry loss and
/// where an image's tokens stand. Display it as the last expression of a cell.
/// </summary>
/// <param name="Rows">The sequences, one row each.</param>
public sealed record TokenStrip(IReadOnlyList<TokenStripRow> Rows)
{
    static readonly IReadOnlyDictionary<TokenRole, (string Background, string Border, string Meaning)> Styles = new Dictionary<TokenRole, (string, string, string)>
    {
        [TokenRole.Context] = ("#f2f2f2", "#cccccc", "read, no loss"),
        [TokenRole.Supervised] = ("#c9efc9", "#2a9d2a", "predicted with loss"),
        [TokenRole.Image] = ("#d6e4fb", "#3b6fd8", "an image: its place in the text (LLaVA: one cell per projected vision token)"),
        [TokenRole.Padding] = ("#ffffff", "#e0e0e0", "padding"),
    };

    /// <summary>
    /// A row for token ids as <paramref name="tokenizer"/> spells them. A token is <see cref="TokenRole.Supervised"/> where
    /// <paramref name="supervised"/> says predicting it counts (as <see cref="TokenSequence.Supervised"/> does), padding is
    /// <see cref="TokenRole.Padding"/>, and the image token becomes <paramref name="imageSlots"/> cells v0, v1, ... of
    /// <see cref="TokenRole.Image"/> (as LLaVA splices an image's tokens in), or stays one cell when that is 0.
    /// </summary>
    public static TokenStripRow Row(string label, ITextTokenizer tokenizer, IReadOnlyList<int> ids, IReadOnlyList<bool>? supervised = null, int imageSlots = 0)
    {
        if (supervised is not null && supervised.Count != ids.Count)
            throw new ArgumentException($"TokenStrip: {ids.Count} token ids but {supervised.Count} supervision flags.");
        if (imageSlots < 0) throw new ArgumentException($"TokenStrip: imageSlots must not be negative (got {imageSlots}).");
        var cells = new List<TokenCell>();
        for (int t = 0; t < ids.Count; t++)
        {
            if (ids[t] == tokenizer.ImageId)
            {
                if (imageSlots == 0) cells.Add(new TokenCell(tokenizer.TokenText(ids[t]), TokenRole.Image));
                for (int v = 0; v < imageSlots; v++) cells.Add(new TokenCell($"v{v}", TokenRole.Image));
                continue;
            }
            var role = ids[t] == tokenizer.PadId ? TokenRole.Padding
                : supervised?[t] == true ? TokenRole.Supervised
                : TokenRole.Context;
            cells.Add(new TokenCell(tokenizer.TokenText(ids[t]), role));
        }
        return new TokenStripRow(label, cells);
    }

    /// <summary>
    /// A row for an interleaved document as Flamingo reads it: each image token drawn as its image, every other token
    /// marked with the image it can see (its most recent one, <c>img n</c>; none before the first image), supervised
    /// tokens shown as such.
    /// </summary>
    public static TokenStripRow Row(string label, ITextTokenizer tokenizer, TokenizedInterleaved document)
    {
        var cells = new List<TokenCell>();
        for (int t = 0; t < document.Ids.Length; t++)
        {
            int image = document.MostRecentImage[t];
            if (document.Ids[t] == tokenizer.ImageId)
            {
                cells.Add(new TokenCell($"image {image}", TokenRole.Image, document.Images[image]));
                continue;
            }
            var role = document.Ids[t] == tokenizer.PadId ? TokenRole.Padding : document.Supervised[t] ? TokenRole.Supervised : TokenRole.Context;
            string text = tokenizer.TokenText(document.Ids[t]);
            cells.Add(new TokenCell(image < 0 ? text : $"{text}\u2192{image}", role));
        }
        return new TokenStripRow(label, cells);
    }

    /// <summary>One row per training sequence, labelled with its length, its supervised tokens shown as such.</summary>
    public static TokenStrip Of(ITextTokenizer tokenizer, IEnumerable<TokenSequence> sequences, int imageSlots = 0) =>
        new(sequences.Select((s, i) => Row($"#{i} ({s.Length} tokens)", tokenizer, s.Ids, s.Supervised, imageSlots)).ToList());

    /// <summary>The rows as HTML: a legend, then each row's label and chips (wrapping when long).</summary>
    public string ToHtml()
    {
        var html = new StringBuilder("<div class=\"workbench-tokens\" style=\"font:12px monospace\"><div style=\"margin-bottom:6px\">");
        foreach (var role in Rows.SelectMany(r => r.Cells).Select(c => c.Role).Distinct().Order())
            html.Append(Chip(role.ToString().ToLowerInvariant(), role)).Append(' ').Append(WebUtility.HtmlEncode(Styles[role].Meaning)).Append(" &nbsp; ");
        html.Append("</div>");
        foreach (var row in Rows)
        {
            html.Append("<div style=\"margin:3px 0;line-height:22px\"><span style=\"color:#555;margin-right:6px\">")
                .Append(WebUtility.HtmlEncode(row.Label)).Append("</span>");
            foreach (var cell in row.Cells) html.Append(cell.Image is null ? Chip(cell.Text, cell.Role) : Picture(cell));
            html.Append("</div>");
        }
        return html.Append("</div>").ToString();
    }

    static string Chip(string text, TokenRole role)
    {
        var (background, border, meaning) = Styles[role];
        return $"<span title=\"{WebUtility.HtmlEncode(meaning)}\" style=\"display:inline-block;padding:0 3px;margin:1px;border:1px solid {border};" +
               $"background:{background};border-radius:3px\">{WebUtility.HtmlEncode(text)}</span>";
    }

    static string Picture(TokenCell cell)
    {
        using var image = cell.Image!.ToImage();
        return $"<span style=\"display:inline-block;vertical-align:middle;margin:1px;border:2px solid {Styles[cell.Role].Border};border-radius:3px\">" +
               ImageHtml.Tag(image, 44, cell.Text) + "</span>";
    }

    /// <summary>Plain text: supervised tokens in [brackets], image slots in {braces}, padding left out.</summary>
    public override string ToString() => string.Join(Environment.NewLine, Rows.Select(row =>
        row.Label + ": " + string.Join(' ', row.Cells.Where(c => c.Role != TokenRole.Padding).Select(c => c.Role switch
        {
            TokenRole.Supervised => $"[{c.Text}]",
            TokenRole.Image => $"{{{c.Text}}}",
            _ => c.Text,
        }))));
}
