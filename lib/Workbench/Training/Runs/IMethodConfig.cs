namespace Workbench.Training.Runs;

/// <summary>
/// What every method's configuration record says (CLIP, the language model, LLaVA, Flamingo): which data, which preset
/// it came from, and how the shared <see cref="Training.Trainer"/> runs. Each method adds its own model and data knobs.
/// </summary>
public interface IMethodConfig
{
    /// <summary>The method's name as the CLI spells it ("clip", "lm", "llava", "flamingo").</summary>
    string Method { get; }

    /// <summary>The data source: shapes, fashion-mnist, fashion-scenes, or a caption file.</summary>
    string Data { get; }

    /// <summary>The preset this configuration came from (quick, full), for reports.</summary>
    string Preset { get; }

    /// <summary>How the trainer runs: steps, learning rate, schedule, seed, evaluation and checkpoint cadence.</summary>
    TrainerConfig Trainer { get; }
}
