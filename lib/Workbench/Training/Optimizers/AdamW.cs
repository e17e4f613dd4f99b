using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbench.Training.Optimizers;

/// <summary>
/// TorchSharp's AdamW with the same update, state and checkpoint format, but a step that makes no Scalar on the fly.
/// <para>
/// TorchSharp turns each number passed to a tensor operation (<c>param.mul_(1 - lr * wd)</c>, <c>add_(eps)</c>, the
/// alpha behind <c>add_</c>) into a native Scalar and lets go of it as soon as its handle is read, so the garbage
/// collector may finalise it while LibTorch still reads it (dotnet/TorchSharp#1434). Its AdamW does that five to seven
/// times for every parameter of every step. A quick LLaVA pipeline crashed that way on 2026-12-01, 30 s into training
/// its tower at twelve steps a second ("Expected false to be true" from <c>Scalar::toFloat</c> in <c>add_</c>). Here
/// the numbers of each parameter's update live in <c>using</c> locals until the update returns.
/// </para>
/// <para>
/// The update is TorchSharp's (and PyTorch's) AdamW: <c>p ← p·(1 − lr·wd)</c>; <c>m ← β₁m + (1 − β₁)g</c>;
/// <c>v ← β₂v + (1 − β₂)g²</c>; <c>p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)</c>. The moments live in
/// <see cref="TorchSharp.Modules.AdamW.State"/>, as the base class keeps them, so <c>save_state_dict</c> and <c>load_state_dict</c> read
/// and write the same files: the class carries TorchSharp's name, <c>AdamW</c>, because the state file records the
/// optimizer's type name and refuses another, so checkpoints written before it and after it load into either.
/// AMSGrad and maximising are not offered (the trainer uses neither).
/// </para>
/// </summary>
public sealed class AdamW : TorchSharp.Modules.AdamW
{
    /// <summary>AdamW over parameter groups, each with its own rate, betas, ε and weight decay (the defaults fill what a group leaves unset).</summary>
    public AdamW(IEnumerable<ParamGroup> groups, double lr, double beta1, double beta2, double eps)
        : base(groups, lr, beta1, beta2, eps)
    {
    }

    /// <summary>One group of parameters, with the defaults of <c>torch.optim.AdamW</c>'s factory (β = 0.9, 0.99; ε = 1e-8; no decay).</summary>
    public AdamW(IEnumerable<Parameter> parameters, double lr, double beta1 = 0.9, double beta2 = 0.99, double eps = 1e-8, double weightDecay = 0)
        : this([new ParamGroup(parameters, lr, beta1, beta2, eps, weightDecay)], lr, beta1, beta2, eps)
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        if (options.amsgrad == true || options.maximize == true)
            throw new NotSupportedException("Workbench.Training.Optimizers.AdamW has no AMSGrad and does not maximise.");
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, lr = options.LearningRate!.Value;
        using Scalar decay = 1 - lr * options.weight_decay!.Value, b1 = beta1, b2 = beta2, gradientShare = 1 - beta1, squareShare = 1 - beta2,
            eps = options.eps!.Value, one = 1.0;
        using var noGrad = no_grad();
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            double correction1 = 1 - Math.Pow(beta1, state.step), correction2 = 1 - Math.Pow(beta2, state.step);
            using Scalar rootCorrection2 = Math.Sqrt(correction2), stepSize = -lr / correction1;

            param.mul_(decay);
            state.exp_avg.mul_(b1).add_(grad, gradientShare);
            state.exp_avg_sq.mul_(b2).addcmul_(grad, grad, squareShare);
            using var denominator = state.exp_avg_sq.sqrt().div_(rootCorrection2).add_(eps, one);
            param.addcdiv_(state.exp_avg, denominator, stepSize);
        }
    }, closure);
}
