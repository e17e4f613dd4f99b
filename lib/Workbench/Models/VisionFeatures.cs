namespace Workbench.Models;

/// <summary>Which of a vision tower's outputs a vision-language model reads (LLaVA's projector, Flamingo's resampler).</summary>
public enum VisionFeatures
{
    /// <summary>The per-region tokens of a layer (<see cref="Clip.ImageEncoder.Tokens"/>), class token dropped: LLaVA's and Flamingo's choice.</summary>
    Patches,
    /// <summary>The pooled image feature alone, as one token (the class token of a ViT, the head of the CNN).</summary>
    Pooled,
}
