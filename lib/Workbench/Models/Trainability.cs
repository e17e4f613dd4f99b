using static TorchSharp.torch;

namespace Workbench.Models;

/// <summary>Freezing a part of a model: what LLaVA's stages, its frozen-LM ablation and Flamingo's frozen towers share.</summary>
public static class Trainability
{
    /// <summary>Lets every parameter of <paramref name="module"/> receive gradients (<paramref name="trainable"/>) or none of them.</summary>
    public static void SetTrainable(this nn.Module module, bool trainable)
    {
        foreach (var p in module.parameters()) p.requires_grad = trainable;
    }
}
