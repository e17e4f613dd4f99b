using TorchSharp;
using Workbench.Data;
using Workbench.Data.Interleaved;
using Workbench.Models.Clip;
using Workbench.Models.Flamingo;
using Workbench.Models.Language;
using Workbench.Plots;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Tests.Plots;

public sealed class FlamingoDiagramTests
{
    [Fact]
    public void TheDiagramDrawsAGatedBlockBeforeEveryNthBlockAndCountsTrainedAndFrozenParameters()
    {
        torch.manual_seed(3);
        var tower = new ConvImageEncoder(new ConvImageEncoderConfig(BaseWidth: 4, Blocks: 2, ImageSize: 16, FlattenWidth: 12));
        var language = new GptModel(new GptConfig(20, ContextLength: 40, Width: 16, Layers: 4, Heads: 2));
        using var model = new FlamingoModel(tower, language, 3, 4, crossAttentionEvery: 2, latents: 5, resamplerDepth: 3);
        var diagram = FlamingoDiagram.Of(model);
        Assert.Equal([1, 3], diagram.GatedBefore);
        Assert.Equal((4, 5, 3, 16), (diagram.LanguageBlocks, diagram.Latents, diagram.ResamplerDepth, diagram.Patches));
        long total = model.parameters().Sum(p => p.numel());
        long trained = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        Assert.Equal((trained, total - trained), (diagram.TrainedParameters, diagram.FrozenParameters));
        string html = diagram.ToHtml();
        Assert.Equal(2, html.Split("gated x-attn").Length - 1);
        Assert.Equal(4, Enumerable.Range(0, 4).Count(i => html.Contains($"LM block {i}")));
        Assert.Contains("5 latents", html);
        Assert.Contains("tanh α 0.00 / 0.00", html);   // gates as built: closed
        Assert.Contains("before blocks 1, 3 of 4", html);
    }

    [Fact]
    public void WithoutAResamplerTheDiagramShowsThePatchesProjectedAsTheVisualTokens()
    {
        torch.manual_seed(3);
        var tower = new ConvImageEncoder(new ConvImageEncoderConfig(BaseWidth: 4, Blocks: 2, ImageSize: 16, FlattenWidth: 12));
        var language = new GptModel(new GptConfig(20, ContextLength: 40, Width: 16, Layers: 4, Heads: 2));
        using var model = new FlamingoModel(tower, language, 3, 4, latents: 5, resamplerDepth: 0, patchPositions: true);
        var diagram = FlamingoDiagram.Of(model);
        Assert.Equal((0, 16, 16), (diagram.ResamplerDepth, diagram.Latents, diagram.Patches));   // the 4x4 patches pass through; 5 latents unused
        string html = diagram.ToHtml();
        Assert.Contains("no resampler", html);
        Assert.DoesNotContain("Perceiver", html);
        Assert.Contains("16 patch tokens", html);
        Assert.Contains("no resampler", diagram.ToString());
    }

    [Fact]
    public void AnInterleavedRowDrawsEachImageInItsPlaceAndMarksTheImageEachTokenSees()
    {
        var tokenizer = WordTokenizer.Build(["red circle", "blue square"]);
        var red = new RgbImage(4, 4);
        var blue = new RgbImage(4, 4);
        var document = new InterleavedDocument([new TextSegment("red", Supervised: false), new ImageSegment(0), new TextSegment("red circle"),
            new ImageSegment(1), new TextSegment("blue square", Supervised: false)], [red, blue]);
        var row = TokenStrip.Row("document", tokenizer, TokenizedInterleaved.From(document, tokenizer, addBegin: true));
        Assert.Equal(["<bos>", "red", "image 0", "red\u21920", "circle\u21920", "image 1", "blue\u21921", "square\u21921"], row.Cells.Select(c => c.Text));
        Assert.Same(red, row.Cells[2].Image);
        Assert.Same(blue, row.Cells[5].Image);
        Assert.Equal([TokenRole.Supervised, TokenRole.Supervised], row.Cells.Skip(3).Take(2).Select(c => c.Role));
        Assert.Equal(TokenRole.Context, row.Cells[6].Role);
        Assert.Equal(2, new TokenStrip([row]).ToHtml().Split("data:image/png").Length - 1);
    }
}
