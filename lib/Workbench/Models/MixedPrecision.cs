using System.Text.Json.Serialization;
using TorchSharp.Modules;
using Workbench.Runtime;
using static TorchSharp.torch;

namespace Workbench.Models;

/// <summary>The arithmetic a model's matrix products use.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Precision>))]
public enum Precision
{
    /// <summary>Everything in float32.</summary>
    [JsonStringEnumMemberName("fp32")] Fp32,

    /// <summary>
    /// Matrix products (linear layers, attention's two products, convolutions, the language model's head) take bfloat16
    /// inputs; everything else (weights, gradients, optimizer state, softmax, normalisation, losses) stays float32.
    /// </summary>
    [JsonStringEnumMemberName("bf16-mixed")] Bf16Mixed,
}

/// <summary>
/// Mixed precision built into the workbench's own layers, since TorchSharp has no autocast. Inside
/// <see cref="Use"/>(<see cref="Precision.Bf16Mixed"/>) the matrix products of every model go through
/// <see cref="Linear(Tensor, Tensor, Tensor?)"/>, <see cref="MatMul"/> and <see cref="Conv2d"/>, which cast the operands
/// (and the bias) to bfloat16, multiply (LibTorch accumulates in float32 and rounds the result to bfloat16, as PyTorch's
/// autocast does), and hand back float32. Parameters stay float32 (the "master weights"); the cast is part of the
/// autograd graph, so their gradients, and so AdamW's moments, are float32 too. Softmax, LayerNorm, residual sums and
/// losses therefore see float32 inputs, as PyTorch's autocast arranges. A product whose result only feeds another
/// product (<see cref="LinearInner(Tensor, Tensor, Tensor?)"/>, <see cref="MatMulInner"/>) keeps it in bfloat16, as
/// autocast does: the feed-forward layer's hidden units and their activation, attention's queries, keys and values, and
/// the attention-weighted values before the output projection.
/// Outside any scope, and with <see cref="Precision.Fp32"/>, these functions are the plain float32 operations.
/// </summary>
public static class MixedPrecision
{
    static readonly ScopedValue<Precision> scoped = new();

    /// <summary>The precision in force on this thread (and the async flow it started): the innermost <see cref="Use"/>, else fp32.</summary>
    public static Precision Current => scoped.Value ?? Precision.Fp32;

    /// <summary>Parses the command line's and configuration's names: <c>fp32</c>, <c>bf16-mixed</c>.</summary>
    public static Precision Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => Precision.Fp32,
        "bf16-mixed" or "bf16" => Precision.Bf16Mixed,
        _ => throw new ArgumentException($"Unknown precision '{name}': use fp32 or bf16-mixed."),
    };

    /// <summary>The name <see cref="Parse"/> reads.</summary>
    public static string Name(Precision precision) => precision == Precision.Bf16Mixed ? "bf16-mixed" : "fp32";

    /// <summary>Runs the matrix products of the enclosed code at <paramref name="precision"/> until disposed.</summary>
    public static IDisposable Use(Precision precision) => scoped.Use(precision);

    /// <summary><c>x Wᵀ + b</c>, float32; under bf16-mixed computed in bfloat16 (the bias too, in the product's epilogue, as autocast does).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null) => Wide(LinearInner(x, weight, bias));

    /// <summary>A linear layer's forward pass at the current precision (its parameters, not its own forward), float32.</summary>
    public static Tensor Linear(Linear layer, Tensor x) => Linear(x, layer.weight!, layer.bias);

    /// <summary>
    /// <c>x Wᵀ + b</c> for a result that only feeds another product or an activation: under bf16-mixed it stays
    /// bfloat16, as PyTorch's autocast leaves a linear layer's output, which saves widening it and narrowing it again
    /// (the feed-forward layer's hidden units, attention's queries, keys and values). Anything that reaches a softmax, a
    /// normalisation, a residual sum or a loss takes <see cref="Linear(Tensor, Tensor, Tensor?)"/>'s float32 instead.
    /// </summary>
    public static Tensor LinearInner(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (!Lowered(x)) return nn.functional.linear(x, weight, bias);
        using var scope = NewDisposeScope();
        return nn.functional.linear(Narrow(x), Narrow(weight), bias is null ? null : Narrow(bias)).MoveToOuterDisposeScope();
    }

    /// <summary><see cref="LinearInner(Tensor, Tensor, Tensor?)"/> with a linear layer's parameters.</summary>
    public static Tensor LinearInner(Linear layer, Tensor x) => LinearInner(x, layer.weight!, layer.bias);

    /// <summary><c>a @ b</c>, float32; under bf16-mixed computed in bfloat16.</summary>
    public static Tensor MatMul(Tensor a, Tensor b) => Wide(MatMulInner(a, b));

    /// <summary><c>a @ b</c> for a result that only feeds another product: bfloat16 under bf16-mixed (see <see cref="LinearInner(Tensor, Tensor, Tensor?)"/>).</summary>
    public static Tensor MatMulInner(Tensor a, Tensor b)
    {
        if (!Lowered(a)) return a.matmul(b);
        using var scope = NewDisposeScope();
        return Narrow(a).matmul(Narrow(b)).MoveToOuterDisposeScope();
    }

    /// <summary>A bfloat16 copy, or the tensor itself when it is bfloat16 already.</summary>
    static Tensor Narrow(Tensor x) => x.dtype == ScalarType.BFloat16 ? x : x.to(ScalarType.BFloat16);

    /// <summary>Float32: a bfloat16 product widened, anything else as it is.</summary>
    static Tensor Wide(Tensor x)
    {
        if (x.dtype != ScalarType.BFloat16) return x;
        using (x) return x.to(ScalarType.Float32);
    }

    /// <summary>A 2-D convolution layer's forward pass, float32; under bf16-mixed computed in bfloat16, the bias in the product's epilogue.</summary>
    public static Tensor Conv2d(Conv2d layer, Tensor x)
    {
        if (!Lowered(x)) return layer.forward(x);
        using var scope = NewDisposeScope();
        var product = nn.functional.conv2d(Narrow(x), Narrow(layer.weight!), layer.bias is null ? null : Narrow(layer.bias),
            strides: layer.stride, padding: layer.padding, dilation: layer.dilation, groups: layer.groups);
        return Wide(product).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A module's forward pass with its matrix products at the current precision: a linear or convolution layer through
    /// the functions above, a <see cref="Sequential"/> layer by layer (LLaVA's MLP projector, the CNN tower's blocks),
    /// anything else (activations, normalisation, pooling) as it is.
    /// </summary>
    public static Tensor Forward(nn.Module<Tensor, Tensor> module, Tensor x)
    {
        switch (module)
        {
            case Linear linear: return Linear(linear, x);
            case Conv2d conv: return Conv2d(conv, x);
            case Sequential layers:
                using (var scope = NewDisposeScope())
                {
                    foreach (var layer in layers.children())
                        x = layer is nn.Module<Tensor, Tensor> step
                            ? Forward(step, x)
                            : throw new ArgumentException($"MixedPrecision.Forward: {layer.GetType().Name} is not a tensor-to-tensor module.");
                    return x.MoveToOuterDisposeScope();
                }
            default: return module.forward(x);
        }
    }

    /// <summary>Whether a product with this input runs in bfloat16: under bf16-mixed, for float32 inputs and the bfloat16 results of the inner products.</summary>
    static bool Lowered(Tensor x) => Current == Precision.Bf16Mixed && x.dtype is ScalarType.Float32 or ScalarType.BFloat16;
}
