using Workbench.Training.Clip;
using Workbench.Training.Language;
using Workbench.Training.Runs;

namespace Workbench.Training.VisionLanguage;

/// <summary>
/// What LLaVA's and Flamingo's configurations share: the two prerequisite runs they stand on (a CLIP run whose image
/// encoder is the frozen tower, a language-model run) and how many held-out scenes they are scored on, so both
/// methods compare on equal terms.
/// </summary>
public interface IVisionLanguageConfig : IMethodConfig
{
    /// <summary>The CLIP run whose image encoder is the tower (trained on demand, see <see cref="PrerequisiteRuns"/>).</summary>
    ClipRunConfig Vision { get; }
    /// <summary>The language-model run (trained on demand).</summary>
    LanguageModelRunConfig Language { get; }
    /// <summary>The tower layer whose tokens are read; null: the tower's default (a ViT's penultimate block, the CNN's last).</summary>
    int? VisionLayer { get; }
    /// <summary>Train on the first this many training scenes only (null: all): quick runs and data-size ablations.</summary>
    int? TrainSamples { get; }
    /// <summary>Held-out scenes for the test figures.</summary>
    int TestSamples { get; }
    /// <summary>Validation scenes scored during training.</summary>
    int ValidationSamples { get; }
}
