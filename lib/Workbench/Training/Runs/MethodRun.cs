using TorchSharp;
using Workbench.Models;
using Workbench.Runtime;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Training.Runs;

/// <summary>A method's held-out evaluation: the flat figures written to <c>metrics.json</c>, and whatever richer detail the method keeps (confusion matrices, retrieval reports).</summary>
public interface IRunReport
{
    /// <summary>Named figures, each beside its baseline.</summary>
    IReadOnlyDictionary<string, double> Metrics { get; }
}

/// <summary>A report that is just the figures.</summary>
/// <param name="Metrics">Named figures.</param>
public sealed record MetricsReport(IReadOnlyDictionary<string, double> Metrics) : IRunReport;

/// <summary>The outcome of <see cref="MethodRun{TConfig, TModel, TReport}.Fit"/>.</summary>
/// <param name="Model">The trained model, in eval mode.</param>
/// <param name="Report">The held-out evaluation; null when the run was cancelled before its last step (resume it).</param>
/// <param name="History">Every step's record.</param>
public sealed record RunResult<TModel, TReport>(TModel Model, TReport? Report, MetricsHistory History) where TReport : class, IRunReport;

/// <summary>
/// One experiment of a method, end to end, the same way for every method: a configuration record, a tokenizer, a model
/// factory, a training task and a held-out evaluation (what each method writes), over one shared run folder
/// (<see cref="RunFolder"/>) and the shared <see cref="Trainer"/> (what this class does once for all).
/// </summary>
/// <typeparam name="TConfig">The method's configuration record.</typeparam>
/// <typeparam name="TModel">The method's model.</typeparam>
/// <typeparam name="TReport">The method's held-out evaluation.</typeparam>
public abstract class MethodRun<TConfig, TModel, TReport> where TConfig : IMethodConfig where TModel : nn.Module where TReport : class, IRunReport
{
    /// <summary>Creates the run over a configuration and the tokenizer its model reads.</summary>
    protected MethodRun(TConfig config, ITextTokenizer tokenizer) => (Config, Tokenizer) = (config, tokenizer);

    /// <summary>The configuration.</summary>
    public TConfig Config { get; }

    /// <summary>The tokenizer, saved with the run.</summary>
    public ITextTokenizer Tokenizer { get; }

    /// <summary>
    /// What decides the run besides its configuration and data, e.g. a pretrained checkpoint it stands on; null when
    /// nothing does. Part of its key in the prerequisite cache, so that runs on different foundations never share a folder.
    /// </summary>
    public virtual string? Provenance => null;

    /// <summary>The model this configuration describes, with fresh trainable weights (the trainer seeds first), on the compute device.</summary>
    public abstract TModel CreateModel();

    /// <summary>The model's skeleton for <see cref="LoadModel"/>: as <see cref="CreateModel"/>, but it need not fetch pretrained parts, since a checkpoint overwrites every weight.</summary>
    protected virtual TModel CreateModelForLoading() => CreateModel();

    /// <summary>Writes what else the run folder needs beside the configuration and tokenizer (e.g. where prerequisites live).</summary>
    protected virtual void OnSetup(RunFolder folder) { }

    /// <summary>The training task for a freshly built model.</summary>
    protected abstract ITrainingTask CreateTask(TModel model);

    /// <summary>The held-out figures on the test split, each beside the baseline that shows the model uses what it should.</summary>
    public abstract TReport Evaluate(TModel model);

    /// <summary>
    /// Trains into <paramref name="outputDir"/> (or resumes the newest checkpoint there), then evaluates on the test split
    /// and writes <c>metrics.json</c>. A cancelled run checkpoints its last step and returns without metrics. What the
    /// process freed goes back to the system before the run and what the training freed after it
    /// (<see cref="NativeAllocator.ReleaseFreeMemory"/>), so that a process training one run after another (a notebook,
    /// whose earlier cells leave garbage too) holds about one run's memory, not the sum.
    /// </summary>
    public RunResult<TModel, TReport> Fit(string? outputDir, bool resume = false, Action<StepRecord>? onStep = null,
        Action<EvaluationRecord>? onEval = null, CancellationToken cancel = default)
    {
        NativeAllocator.ReleaseFreeMemory();
        try
        {
            return TrainAndEvaluate(outputDir, resume, onStep, onEval, cancel);
        }
        finally
        {
            NativeAllocator.ReleaseFreeMemory();   // after the trainer, its optimizer state and the task are disposed
        }
    }

    RunResult<TModel, TReport> TrainAndEvaluate(string? outputDir, bool resume, Action<StepRecord>? onStep, Action<EvaluationRecord>? onEval,
        CancellationToken cancel)
    {
        var folder = outputDir is null ? null : new RunFolder(outputDir);
        if (folder is not null)
        {
            if (resume) folder.CheckSameConfig(Config);
            folder.WriteSetup(Config, Tokenizer);
            OnSetup(folder);
        }
        TModel? model = null;
        ITrainingTask? task = null;
        using var trainer = new Trainer(Config.Trainer with { OutputDir = outputDir }, () => task = CreateTask(model = CreateModel()));
        if (onStep is not null) trainer.StepEnded += onStep;
        if (onEval is not null) trainer.EvalEnded += onEval;
        try
        {
            if (resume) trainer.Resume();
            var history = trainer.Run(cancel);
            model!.eval();
            if (!trainer.IsComplete) return new RunResult<TModel, TReport>(model, null, history);
            TReport report;
            using (MixedPrecision.Use(Config.Trainer.Precision))
                report = Evaluate(model);   // each evaluation turns gradients off itself (CLIP's linear probe trains)
            folder?.WriteMetrics(report.Metrics);
            folder?.WriteTraining(new TrainingSummary(trainer.ParametersTrained, trainer.Step, trainer.TrainingTask.SamplesPerStep));
            return new RunResult<TModel, TReport>(model, report, history);
        }
        finally
        {
            (task as IDisposable)?.Dispose();
        }
    }

    /// <summary>The newest checkpoint's weights of the run folder <paramref name="runDir"/>, in a model in eval mode.</summary>
    public TModel LoadModel(string runDir)
    {
        var model = CreateModelForLoading();
        LoadWeights(model, new RunFolder(runDir).LatestCheckpoint());
        model.eval();
        return model;
    }

    /// <summary>Loads a checkpoint's model weights after checking every name and shape (the error names the file and tensor).</summary>
    public static void LoadWeights(nn.Module model, string checkpointDir)
    {
        string weights = Path.Combine(checkpointDir, Checkpoint.ModelFile);
        StateDictFile.Verify(weights, model);
        model.load(weights);
    }
}
