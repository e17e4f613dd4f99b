using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Workbench.Runtime;

namespace Workbench.Models;

/// <summary>
/// A Canon layer (Allen-Zhu 2025, "Physics of Language Models: Part 4.1, Architecture Design and the Magic of Canon
/// Layers"): <c>x + conv(x)</c>, a depthwise causal convolution over each position and the K − 1 before it, placed
/// before a block's attention. It hands every token its neighbours' content without attention: in "a red circle", the
/// position of "circle" also holds "red", so that looking up the colour of the circle, which otherwise needs one head to
/// copy "red" forward and a later one to find it (two attention steps composed, what a small model learns last), is one
/// step. With a <see cref="KeyValueCache.Layer"/> it keeps the last K − 1 inputs, so generation token by token gives what
/// one pass over the whole sequence gives.
/// </summary>
public sealed class CanonLayer : nn.Module<Tensor, Tensor>
{
    readonly Conv1d conv;

    /// <summary>Creates the layer: one K-tap filter per channel, no bias.</summary>
    /// <param name="width">Channels W.</param>
    /// <param name="kernel">K: how many positions (the token itself and the K − 1 before it) each output mixes.</param>
    public CanonLayer(int width, int kernel) : base(nameof(CanonLayer))
    {
        if (kernel < 1) throw new ArgumentException($"CanonLayer: the kernel must be at least 1 (got {kernel}).");
        Kernel = kernel;
        conv = nn.Conv1d(width, width, kernel, groups: width, bias: false);
        RegisterComponents();
    }

    /// <summary>K.</summary>
    public int Kernel { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => forward(x, null, null);

    /// <summary>Mixes each position with the ones before it.</summary>
    /// <param name="x">(B, T, W).</param>
    /// <param name="realTokens">Which of these positions hold real tokens (B, T), bool; padding is read as zero. Null: all.</param>
    /// <param name="cache">The block's cache in generation (it keeps the last K − 1 inputs), or null.</param>
    /// <returns>(B, T, W).</returns>
    public Tensor forward(Tensor x, Tensor? realTokens, KeyValueCache.Layer? cache)
    {
        using var scope = NewDisposeScope();
        var input = realTokens is null ? x : x * realTokens.unsqueeze(-1).to_type(x.dtype);
        var history = cache?.TokenHistory ?? zeros(x.shape[0], Kernel - 1, x.shape[2], dtype: x.dtype, device: x.device);
        var window = cat([history, input], 1);                                  // (B, K − 1 + T, W)
        cache?.KeepTokenHistory(window.narrow(1, window.shape[1] - (Kernel - 1), Kernel - 1));
        var mixed = conv.forward(window.transpose(1, 2)).transpose(1, 2);       // (B, T, W)
        return x.Plus(mixed).MoveToOuterDisposeScope();
    }
}
