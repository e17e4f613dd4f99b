using TorchSharp;
using static TorchSharp.torch;
using Workbench.Runtime;

namespace Workbench.Models;

/// <summary>
/// Rotary position embeddings (Su et al. 2021, "RoFormer"; the half-split layout of GPT-NeoX and LLaMA): each query
/// and key is rotated, pair of channels by pair of channels, through an angle proportional to its position, so that
/// their dot product depends on the two positions only through their difference. A head that must read "the token
/// just before the one that matches" (how a language model looks an attribute up in a caption) then needs no learned
/// table of absolute positions, and works the same wherever a sequence starts.
/// </summary>
public static class RotaryPositions
{
    /// <summary>The base of the wavelengths, as in RoFormer.</summary>
    public const double Theta = 10_000;

    /// <summary>
    /// Rotates <paramref name="x"/> (B, H, T, d), d even, by the positions (B, T) int64 of its T tokens: channels i and
    /// i + d/2 turn through the angle position · Theta^(−2i/d).
    /// </summary>
    public static Tensor Apply(Tensor x, Tensor positions)
    {
        var (cos, sin) = Angles(positions, x);
        using (cos) using (sin) return Rotate(x, cos, sin);
    }

    /// <summary>Queries and keys (B, H, T, d) of one self-attention, rotated by the same positions: the angles are computed once.</summary>
    public static (Tensor Queries, Tensor Keys) Apply(Tensor queries, Tensor keys, Tensor positions)
    {
        var (cos, sin) = Angles(positions, queries);
        using (cos) using (sin) return (Rotate(queries, cos, sin), Rotate(keys, cos, sin));
    }

    /// <summary>cos and sin (B, 1, T, d/2) of every token's angles, for tensors shaped like <paramref name="like"/> (B, H, T, d).</summary>
    static (Tensor Cos, Tensor Sin) Angles(Tensor positions, Tensor like)
    {
        long d = like.shape[^1];
        if (d % 2 != 0) throw new ArgumentException($"Rotary positions need an even head width; got {d}.");
        if (positions.dim() != 2 || positions.shape[0] != like.shape[0] || positions.shape[1] != like.shape[2])
            throw new ArgumentException($"Rotary positions must be (B, T) = ({like.shape[0]}, {like.shape[2]}); got ({string.Join(", ", positions.shape)}).");
        using var scope = NewDisposeScope();
        var frequencies = exp(arange(d / 2, dtype: ScalarType.Float32, device: like.device) * (-2.0 * Math.Log(Theta) / d));   // (d/2)
        var angles = positions.to_type(ScalarType.Float32).unsqueeze(-1) * frequencies;                                           // (B, T, d/2)
        return (angles.cos().unsqueeze(1).to_type(like.dtype).MoveToOuterDisposeScope(), angles.sin().unsqueeze(1).to_type(like.dtype).MoveToOuterDisposeScope());
    }

    /// <summary>The half-split rotation of <paramref name="x"/> (B, H, T, d) by angles given as cos and sin (B, 1, T, d/2).</summary>
    static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long half = x.shape[^1] / 2;
        var first = x[TensorIndex.Ellipsis, TensorIndex.Slice(0, half)];
        var second = x[TensorIndex.Ellipsis, TensorIndex.Slice(half, 2 * half)];
        return cat([first * cos - second * sin, (second * cos).Plus(first * sin)], -1).MoveToOuterDisposeScope();
    }
}
