using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbench.Models;

/// <summary>The non-linearity inside a transformer's feed-forward network.</summary>
public enum Activation
{
    /// <summary>Exact GELU, x·Φ(x) (OpenCLIP's models trained from scratch).</summary>
    Gelu,
    /// <summary>GELU's tanh approximation (GPT-2's <c>gelu_new</c>).</summary>
    GeluTanh,
    /// <summary>x·σ(1.702x) (OpenAI's CLIP models).</summary>
    QuickGelu,
}

/// <summary>
/// The transformer's position-wise feed-forward network: Linear → activation → Linear, widening by <c>ratio</c> in
/// between (4 in "Attention Is All You Need", GPT-2 and CLIP). Named as GPT-2 and OpenCLIP name it: <c>c_fc</c>, <c>c_proj</c>.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    readonly Linear c_fc;
    readonly Linear c_proj;
    readonly Activation activation;

    /// <summary>Creates the network.</summary>
    /// <param name="width">Input and output width.</param>
    /// <param name="ratio">Hidden width as a multiple of <paramref name="width"/>.</param>
    /// <param name="activation">The non-linearity.</param>
    public Mlp(int width, int ratio = 4, Activation activation = Activation.Gelu) : base(nameof(Mlp))
    {
        c_fc = nn.Linear(width, width * ratio);
        c_proj = nn.Linear(width * ratio, width);
        this.activation = activation;
        RegisterComponents();
    }

    /// <summary>Applies the network to the last dimension of <paramref name="x"/>.</summary>
    public override Tensor forward(Tensor x)
    {
        using var hidden = MixedPrecision.LinearInner(c_fc, x);   // bfloat16 under bf16-mixed, as is the activation
        using var activated = Apply(activation, hidden);
        return MixedPrecision.Linear(c_proj, activated);
    }

    /// <summary>Applies <paramref name="activation"/> elementwise.</summary>
    public static Tensor Apply(Activation activation, Tensor x) => activation switch
    {
        Activation.Gelu => nn.functional.gelu(x),
        Activation.GeluTanh => x.gelu(GELU.Approximate.tanh),
        Activation.QuickGelu => QuickGelu(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };

    static Tensor QuickGelu(Tensor x)
    {
        using var gate = sigmoid(x * 1.702);
        return x * gate;
    }
}
