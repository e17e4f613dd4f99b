using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbench.Models;

/// <summary>
/// A stack of <see cref="TransformerBlock"/>s named as OpenCLIP names it (<c>transformer.resblocks.N</c>), shared by
/// CLIP's vision and text towers.
/// </summary>
public sealed class Transformer : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<TransformerBlock> resblocks;

    /// <summary>Creates <paramref name="layers"/> blocks of width <paramref name="width"/>.</summary>
    public Transformer(int width, int layers, int heads, int mlpRatio = 4, Activation activation = Activation.Gelu) : base(nameof(Transformer))
    {
        if (layers < 0) throw new ArgumentException($"Transformer: layer count {layers} is negative.");
        resblocks = nn.ModuleList(Enumerable.Range(0, layers).Select(_ => new TransformerBlock(width, heads, mlpRatio, activation)).ToArray());
        RegisterComponents();
    }

    /// <summary>The blocks, first to last.</summary>
    public IReadOnlyList<TransformerBlock> Blocks => resblocks.ToList();

    /// <summary>Applies every block without a mask.</summary>
    public override Tensor forward(Tensor x) => forward(x, null);

    /// <summary>Applies the first <paramref name="layers"/> blocks (all when null) under <paramref name="mask"/>.</summary>
    public Tensor forward(Tensor x, Tensor? mask, int? layers = null)
    {
        int count = layers ?? resblocks.Count;
        if (count < 0 || count > resblocks.Count)
            throw new ArgumentException($"Transformer: asked for the output of {count} blocks; it has {resblocks.Count}.");
        using var scope = NewDisposeScope();
        var hidden = x.alias();
        for (int i = 0; i < count; i++) hidden = resblocks[i].forward(hidden, mask);
        return hidden.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// How many blocks to run for "the output of layer <paramref name="layer"/>", counting as Hugging Face's
    /// <c>hidden_states</c> do: 0 is the input, L the last block's output, and negative values count from the end
    /// (−1 the last block, −2 the penultimate, LLaVA's choice).
    /// </summary>
    public int BlocksFor(int layer)
    {
        int count = layer < 0 ? resblocks.Count + 1 + layer : layer;
        if (count < 0 || count > resblocks.Count)
            throw new ArgumentException($"Layer {layer} does not exist: this transformer has {resblocks.Count} blocks (layers 0..{resblocks.Count} or -1..-{resblocks.Count + 1}).");
        return count;
    }
}
