using System.Globalization;
using System.Net;
using System.Text;
using Workbench.Models.Flamingo;

namespace Workbench.Plots;

/// <summary>
/// Flamingo's architecture as a picture (Alayrac et al. 2022, figure 3), drawn for one configuration: the frozen vision
/// tower turns the image into patches, the Perceiver resampler reads them into K latents, and the text runs through the
/// frozen language model's blocks with a gated cross-attention block before each block that has one (every N-th),
/// each reading the latents. Frozen parts are grey, trained parts orange; a gate's tanh(α) is written in its block.
/// Display it as the last expression of a cell.
/// </summary>
/// <param name="LanguageBlocks">Blocks of the language model.</param>
/// <param name="GatedBefore">The blocks that have a gated cross-attention block before them.</param>
/// <param name="Patches">Tower tokens per image (the resampler's input).</param>
/// <param name="Latents">The resampler's latents: visual tokens per image.</param>
/// <param name="ResamplerDepth">Layers of the resampler (0: none, the patches projected; the ablation).</param>
/// <param name="TrainedParameters">Parameters that train.</param>
/// <param name="FrozenParameters">Parameters that stay frozen.</param>
/// <param name="Gates">tanh(α) of each gated block's cross-attention and feed-forward, in the order of <paramref name="GatedBefore"/>; null: not shown.</param>
public sealed record FlamingoDiagram(int LanguageBlocks, IReadOnlyList<int> GatedBefore, int Patches, int Latents, int ResamplerDepth,
    long TrainedParameters, long FrozenParameters, IReadOnlyList<(double Attention, double FeedForward)>? Gates = null)
{
    const string FrozenFill = "#e6e6e6", FrozenLine = "#8a8a8a", TrainedFill = "#ffd9b0", TrainedLine = "#e07b00";
    const int Box = 104, Gap = 16, Height = 46;

    /// <summary>The diagram of a model as built (its gates as they are now).</summary>
    public static FlamingoDiagram Of(FlamingoModel model)
    {
        var parameters = model.parameters().ToList();
        long trained = parameters.Where(p => p.requires_grad).Sum(p => p.numel());
        long frozen = parameters.Where(p => !p.requires_grad).Sum(p => p.numel());
        int patches = model.Features == Workbench.Models.VisionFeatures.Pooled ? 1 : model.VisionTower.TokenCount(model.VisionLayer);
        return new FlamingoDiagram(model.LanguageModel.Blocks.Count, model.CrossAttentionLayers.Select(l => l.Block).ToList(), patches,
            model.Latents, model.Resampler.Depth, trained, frozen, model.CrossAttentionLayers.Select(l => l.Layer.Gates).ToList());
    }

    /// <summary>The diagram as an inline SVG, with a one-line legend.</summary>
    public string ToHtml()
    {
        var text = new List<(string Label, string Detail, bool Trained, int Gate)>();   // the language model's path, left to right
        text.Add(("text embeddings", "frozen*", false, -1));
        for (int i = 0; i < LanguageBlocks; i++)
        {
            int gated = IndexOf(GatedBefore, i);
            if (gated >= 0) text.Add(("gated x-attn", GateText(gated), true, gated));
            text.Add(($"LM block {i}", "frozen", false, -1));
        }
        text.Add(("next-token logits", "frozen head", false, -1));

        int width = Math.Max(text.Count * (Box + Gap) + Gap, 4 * (Box + Gap) + 140);
        const int visionY = 20, textY = 150, svgHeight = 262;
        var svg = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{svgHeight}\" font-family=\"system-ui,sans-serif\" font-size=\"11\">");
        svg.Append("<defs><marker id=\"flamingo-arrow\" markerWidth=\"8\" markerHeight=\"8\" refX=\"7\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#555\"/></marker></defs>");

        // The vision path: image -> tower -> patches -> resampler -> latents.
        var vision = new (string Label, string Detail, bool? Trained)[]
        {
            ("image", "pixels", null),
            ("vision tower", "CLIP's image encoder", false),
            ($"{Patches} patches", "tower tokens", null),
            ResamplerDepth == 0 ? ("projection", "no resampler (ablation)", true) : ("resampler", $"Perceiver, {ResamplerDepth} layers", true),
            (ResamplerDepth == 0 ? $"{Latents} patch tokens" : $"{Latents} latents", "visual tokens per image", null),
        };
        for (int v = 0; v < vision.Length; v++)
        {
            int x = Gap + v * (Box + Gap + 12);
            Rect(svg, x, visionY, vision[v].Label, vision[v].Detail, vision[v].Trained);
            if (v > 0) Arrow(svg, x - Gap - 12, visionY + Height / 2, x, visionY + Height / 2);
        }
        int latentsX = Gap + (vision.Length - 1) * (Box + Gap + 12) + Box / 2, latentsBottom = visionY + Height;

        // The text path, and an arrow from the latents into every gated block.
        for (int k = 0; k < text.Count; k++)
        {
            int x = Gap + k * (Box + Gap);
            Rect(svg, x, textY, text[k].Label, text[k].Detail, text[k].Trained);
            if (k > 0) Arrow(svg, x - Gap, textY + Height / 2, x, textY + Height / 2);
            if (text[k].Gate >= 0)
                svg.Append($"<path d=\"M{latentsX},{latentsBottom} C{latentsX},{latentsBottom + 50} {x + Box / 2},{textY - 50} {x + Box / 2},{textY}\" " +
                           $"fill=\"none\" stroke=\"{TrainedLine}\" stroke-width=\"1.2\" marker-end=\"url(#flamingo-arrow)\"/>");
        }
        svg.Append($"<text x=\"{Gap}\" y=\"{textY + Height + 22}\" fill=\"#333\">text with one &lt;image&gt; token per image; each token reads only the latents of its most recent image</text>");
        svg.Append($"<text x=\"{Gap}\" y=\"{textY + Height + 38}\" fill=\"#333\">* frozen, except the embeddings of &lt;image&gt; and &lt;eoc&gt;, which train</text>");
        if (Gates is not null) svg.Append($"<text x=\"{Gap}\" y=\"{textY + Height + 54}\" fill=\"#333\">in each gated block: tanh α of its cross-attention / of its feed-forward layer (0: closed)</text>");
        svg.Append("</svg>");

        string legend = $"<div style=\"font:12px system-ui,sans-serif;margin-top:4px\">{Swatch(FrozenFill, FrozenLine)} frozen: {Count(FrozenParameters)} parameters " +
                        $"&nbsp; {Swatch(TrainedFill, TrainedLine)} trained: {Count(TrainedParameters)} parameters " +
                        $"&nbsp; a gated block before {(GatedBefore.Count == LanguageBlocks ? "every block" : $"blocks {string.Join(", ", GatedBefore)}")} of {LanguageBlocks}</div>";
        return "<div class=\"workbench-flamingo-diagram\" style=\"overflow-x:auto\">" + svg + legend + "</div>";
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"image -> vision tower (frozen) -> {Patches} patches -> " +
        (ResamplerDepth == 0 ? "a projection, no resampler (trained)" : $"Perceiver resampler ({ResamplerDepth} layers, trained)") + $" -> {Latents} latents; " +
        $"language model: {string.Join(" -> ", Enumerable.Range(0, LanguageBlocks).Select(i => (IndexOf(GatedBefore, i) >= 0 ? "[gated x-attn] " : "") + $"block {i}"))}; " +
        $"trained {TrainedParameters:N0}, frozen {FrozenParameters:N0} parameters";

    string GateText(int gated) => Gates is null || gated >= Gates.Count
        ? "trained, gates at 0"
        : string.Create(CultureInfo.InvariantCulture, $"tanh α {Gates[gated].Attention:0.00} / {Gates[gated].FeedForward:0.00}");

    static int IndexOf(IReadOnlyList<int> values, int value)
    {
        for (int i = 0; i < values.Count; i++) if (values[i] == value) return i;
        return -1;
    }

    static void Rect(StringBuilder svg, int x, int y, string label, string detail, bool? trained)
    {
        var (fill, line) = trained switch { true => (TrainedFill, TrainedLine), false => (FrozenFill, FrozenLine), null => ("#ffffff", "#bbbbbb") };
        svg.Append($"<rect x=\"{x}\" y=\"{y}\" width=\"{Box}\" height=\"{Height}\" rx=\"5\" fill=\"{fill}\" stroke=\"{line}\"{(trained is null ? " stroke-dasharray=\"3,2\"" : "")}/>");
        svg.Append($"<text x=\"{x + Box / 2}\" y=\"{y + 19}\" text-anchor=\"middle\" font-weight=\"600\">{WebUtility.HtmlEncode(label)}</text>");
        svg.Append($"<text x=\"{x + Box / 2}\" y=\"{y + 34}\" text-anchor=\"middle\" font-size=\"8.5\" fill=\"#444\">{WebUtility.HtmlEncode(detail)}</text>");
    }

    static void Arrow(StringBuilder svg, int x1, int y1, int x2, int y2) =>
        svg.Append($"<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2 - 1}\" y2=\"{y2}\" stroke=\"#555\" stroke-width=\"1.2\" marker-end=\"url(#flamingo-arrow)\"/>");

    static string Swatch(string fill, string line) =>
        $"<span style=\"display:inline-block;width:12px;height:12px;vertical-align:middle;background:{fill};border:1px solid {line}\"></span>";

    static string Count(long n) => n >= 1_000_000 ? string.Create(CultureInfo.InvariantCulture, $"{n / 1e6:0.00}M")
        : n >= 1_000 ? string.Create(CultureInfo.InvariantCulture, $"{n / 1e3:0.0}k") : n.ToString(CultureInfo.InvariantCulture);
}
