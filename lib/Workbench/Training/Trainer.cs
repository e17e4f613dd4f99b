using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbench.Training;

/// <summary>
/// Trains any <see cref="ITrainingTask"/> with AdamW, warm-up plus cosine decay, optional gradient clipping and
/// accumulation, periodic evaluation, a JSON-lines log and atomic checkpoints that resume the same trajectory.
/// Read <see cref="Run"/> and <see cref="TrainStep"/> top to bottom: that is the whole algorithm.
/// <para>
/// Determinism: the constructor calls <see cref="Seed"/> and only then the task factory, so the initial weights, the
/// dropout masks and (by the <see cref="ITrainingTask"/> contract) the batches are all functions of the seed. On CPU a
/// run resumed from a checkpoint reproduces the uninterrupted run's losses bit for bit.
/// </para>
/// </summary>
public sealed class Trainer : IDisposable
{
    readonly List<Parameter> trainable;
    readonly bool onCuda;
    readonly List<double> groupScales;
    MetricsLog? log;
    TensorBoardLog? tensorBoard;
    bool outputReady;
    bool resumed;
    long lastCheckpointStep = -1;

    /// <summary>Seeds TorchSharp, builds the task with <paramref name="createTask"/>, and sets up AdamW with two parameter groups.</summary>
    public Trainer(TrainerConfig config, Func<ITrainingTask> createTask)
    {
        config.Validate();
        Config = config;
        Seed(config.Seed);
        TrainingTask = createTask() ?? throw new ArgumentException("The task factory returned null.", nameof(createTask));
        Groups = WeightDecayGroups.Split(TrainingTask.Model);
        trainable = Groups.All.ToList();
        if (trainable.Count == 0) throw new ArgumentException("The task's model has no trainable parameters.", nameof(createTask));
        onCuda = trainable.Any(p => p.device_type == DeviceType.CUDA);
        Schedule = LearningRateSchedule.From(config);
        var (beta1, beta2) = config.Betas;
        // Two groups (decayed, not decayed) at the schedule's rate, then one more per other rate the task asks for
        // (Flamingo's gates, a language model tuned more gently): a task without scales keeps exactly the two groups.
        var scales = Groups.Decay.Select(p => (p.Parameter, Decay: true, Scale: TrainingTask.LearningRateScale(p.Name)))
            .Concat(Groups.NoDecay.Select(p => (p.Parameter, Decay: false, Scale: TrainingTask.LearningRateScale(p.Name)))).ToList();
        var groups = new List<AdamW.ParamGroup>();
        groupScales = [];
        var kinds = scales.Select(s => (s.Scale, s.Decay)).Append((Scale: 1.0, Decay: true)).Append((Scale: 1.0, Decay: false)).Distinct()
            .OrderBy(g => g.Scale == 1.0 ? 0 : 1).ThenBy(g => g.Scale).ThenBy(g => g.Decay ? 0 : 1).ToList();
        foreach (var (scale, decay) in kinds)
        {
            var members = scales.Where(s => s.Scale == scale && s.Decay == decay).Select(s => s.Parameter).ToList();
            if (scale != 1.0 && members.Count == 0) continue;
            groups.Add(new AdamW.ParamGroup(members, config.LearningRate * scale, beta1, beta2, config.Eps, decay ? config.WeightDecay : 0));
            groupScales.Add(scale);
        }
        Optimizer = torch.optim.AdamW(groups, config.LearningRate, beta1, beta2, config.Eps);
    }

    /// <summary>The configuration.</summary>
    public TrainerConfig Config { get; }

    /// <summary>The task the factory built (the trainer does not dispose it).</summary>
    public ITrainingTask TrainingTask { get; }

    /// <summary>Which parameters get weight decay.</summary>
    public WeightDecayGroups Groups { get; }

    /// <summary>AdamW; group 0 decays, group 1 does not (both at the schedule's rate), then groups at the task's other rates (<see cref="ITrainingTask.LearningRateScale"/>).</summary>
    public AdamW Optimizer { get; }

    /// <summary>The learning rate of each step.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>How many numbers the optimizer updates: the elements of every trainable parameter (frozen parts excluded).</summary>
    public long ParametersTrained => trainable.Sum(p => p.numel());

    /// <summary>The last completed step (0 before training).</summary>
    public long Step { get; private set; }

    /// <summary>Whether every step of the run is done.</summary>
    public bool IsComplete => Step >= Config.Steps;

    /// <summary>Every step's record so far (including, after a resume, those of the log).</summary>
    public MetricsHistory History { get; } = new();

    /// <summary>The newest checkpoint this trainer wrote or resumed from, or null.</summary>
    public string? LastCheckpoint { get; private set; }

    /// <summary>Raised after every step (notebooks plot from it, the CLI draws a progress bar).</summary>
    public event Action<StepRecord>? StepEnded;

    /// <summary>Raised after every evaluation.</summary>
    public event Action<EvaluationRecord>? EvalEnded;

    /// <summary>Seeds TorchSharp's CPU and CUDA generators. Call it before building a model by hand.</summary>
    public static void Seed(long seed) => torch.manual_seed(seed);

    /// <summary>
    /// Loads a checkpoint (null: the newest under OutputDir) into the model, optimizer, random generator and task, so
    /// that <see cref="Run"/> continues from the step after it. When the run next starts, OutputDir's log is cut back
    /// to that step and its later checkpoints are deleted: the resumed run rewrites that future.
    /// </summary>
    public CheckpointManifest Resume(string? checkpointDir = null)
    {
        checkpointDir ??= (Config.OutputDir is { } dir ? Checkpoint.Latest(dir) : null)
            ?? throw new FileNotFoundException(Config.OutputDir is null
                ? "Resume() without a folder needs TrainerConfig.OutputDir."
                : $"{Path.Combine(Config.OutputDir, Checkpoint.FolderName)}: no checkpoint to resume from.");
        CheckpointManifest manifest;
        using (torch.NewDisposeScope())
            manifest = Checkpoint.Load(checkpointDir, TrainingTask.Model, Optimizer, TrainingTask);
        Step = manifest.Step;
        LastCheckpoint = Path.GetFullPath(checkpointDir);
        lastCheckpointStep = Step;
        resumed = true;
        log?.Dispose();
        log = null;
        outputReady = false;
        History.Clear();
        return manifest;
    }

    /// <summary>
    /// Trains from the step after <see cref="Step"/> to <see cref="TrainerConfig.Steps"/>. Returns early, after
    /// checkpointing the last completed step, when <paramref name="cancellationToken"/> is cancelled (see <see cref="IsComplete"/>).
    /// Throws <see cref="TrainingDivergedException"/> on a NaN or infinite loss.
    /// </summary>
    public MetricsHistory Run(CancellationToken cancellationToken = default)
    {
        PrepareOutput();
        TrainingTask.Model.train();
        while (Step < Config.Steps)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                if (Config.OutputDir is not null && Step > 0 && lastCheckpointStep != Step) SaveCheckpoint();
                break;
            }
            long step = Step + 1;
            var record = TrainStep(step);
            Step = step;

            EvaluationRecord? evaluation = null;
            if ((Config.EvalEvery > 0 && step % Config.EvalEvery == 0) || step == Config.Steps)
            {
                evaluation = Evaluate();
                if (evaluation is not null) record = record with { Evaluation = evaluation.Metrics };
            }
            History.Add(record);
            log?.Append(record);
            tensorBoard?.Append(record);
            StepEnded?.Invoke(record);
            if (evaluation is not null) EvalEnded?.Invoke(evaluation);

            if (Config.OutputDir is not null && ((Config.CheckpointEvery > 0 && step % Config.CheckpointEvery == 0) || step == Config.Steps))
                SaveCheckpoint();
        }
        return History;
    }

    /// <summary>
    /// One optimizer step: set the scheduled learning rate, accumulate the gradients of every micro-batch, stop on a
    /// non-finite loss, clip, update, then let the task adjust its parameters. Gradients are zeroed at the start of
    /// a step, so after it they can still be inspected. All temporaries die with the step's dispose scope.
    /// </summary>
    StepRecord TrainStep(long step)
    {
        using var scope = torch.NewDisposeScope();
        var clock = Stopwatch.StartNew();
        // The CUDA generator state cannot be saved through TorchSharp 0.107; a per-step seed makes GPU dropout
        // resumable too (CPU runs restore the saved generator state instead).
        if (onCuda) torch.cuda.manual_seed_all(StepSeed(Config.Seed, step));

        double learningRate = Schedule.At(step);
        foreach (var (group, scale) in Optimizer.ParamGroups.Zip(groupScales)) group.LearningRate = learningRate * scale;

        Optimizer.zero_grad();
        double loss = 0;
        int micro = Config.AccumulationSteps;
        for (int m = 0; m < micro; m++)
        {
            var microLoss = TrainingTask.Loss(step, m);
            // Dividing each micro loss makes the summed gradients those of the mean over the whole batch.
            (micro == 1 ? microLoss : microLoss / micro).backward();
            loss += microLoss.ToDouble() / micro;
        }
        if (!double.IsFinite(loss)) throw new TrainingDivergedException(step, loss, LastCheckpoint);

        var metrics = new Dictionary<string, double>();
        if (Config.GradientClipNorm is double maxNorm)
        {
            double norm = torch.nn.utils.clip_grad_norm_(trainable, maxNorm);
            if (!double.IsFinite(norm)) throw new TrainingDivergedException(step, loss, LastCheckpoint, norm);
            metrics["grad_norm"] = norm;
        }
        Optimizer.step();
        using (torch.no_grad()) TrainingTask.AfterOptimizerStep();
        if (TrainingTask.StepMetrics(step) is { } extra)
            foreach (var (name, value) in extra) metrics[name] = value;

        double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        int samples = TrainingTask.SamplesPerStep;
        return new StepRecord(step, loss, learningRate, 1 / seconds, samples > 0 ? samples / seconds : null, metrics);
    }

    /// <summary>Runs the task's evaluation in eval mode, then puts back training mode and the random state.</summary>
    EvaluationRecord? Evaluate()
    {
        using var scope = torch.NewDisposeScope();
        var randomState = torch.random.get_rng_state();
        IReadOnlyDictionary<string, double>? metrics;
        TrainingTask.Model.eval();
        try
        {
            using (torch.no_grad()) metrics = TrainingTask.Evaluate();
        }
        finally
        {
            TrainingTask.Model.train();
            torch.random.set_rng_state(randomState);
        }
        return metrics is null ? null : new EvaluationRecord(Step, metrics);
    }

    /// <summary>Writes a checkpoint of the current step into OutputDir now, and returns its folder.</summary>
    public string SaveCheckpoint()
    {
        string outputDir = Config.OutputDir ?? throw new InvalidOperationException("Checkpoints need TrainerConfig.OutputDir.");
        using var scope = torch.NewDisposeScope();
        var shapes = TrainingTask.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var manifest = new CheckpointManifest(Step, Schedule.At(Step), Config, shapes, DateTime.UtcNow);
        LastCheckpoint = Checkpoint.Write(outputDir, manifest, TrainingTask.Model, Optimizer, TrainingTask.CaptureState());
        lastCheckpointStep = Step;
        Checkpoint.Prune(outputDir, Config.KeepCheckpoints);
        return LastCheckpoint;
    }

    /// <summary>
    /// Once per run: a fresh run refuses an OutputDir that already holds checkpoints (resume instead); a resumed run
    /// deletes the checkpoints after its step. Then the log is cut back to the current step and opened for appending,
    /// and a TensorBoard event file is started beside it.
    /// </summary>
    void PrepareOutput()
    {
        if (outputReady || Config.OutputDir is not { } dir) return;
        Directory.CreateDirectory(dir);
        if (!resumed && Checkpoint.Latest(dir) is { } existing)
            throw new InvalidOperationException(
                $"{dir} already holds checkpoints (newest: {existing}). Call Resume() to continue that run, or use an empty OutputDir.");
        Checkpoint.DeleteAfter(dir, Step);
        var (opened, kept) = MetricsLog.Open(Path.Combine(dir, MetricsLog.FileName), Step);
        log = opened;
        tensorBoard = new TensorBoardLog(dir);
        if (History.Count == 0)
            foreach (var record in kept) History.Add(record);
        outputReady = true;
    }

    /// <summary>A well-spread seed per (seed, step).</summary>
    static long StepSeed(long seed, long step) => (long)(Workbench.Data.StableHash.Fold(Workbench.Data.StableHash.Mix((ulong)seed), (ulong)step) >> 1);

    /// <summary>Closes the log and frees the optimizer state. The task and its model stay usable.</summary>
    public void Dispose()
    {
        log?.Dispose();
        log = null;
        Optimizer.Dispose();
    }
}
