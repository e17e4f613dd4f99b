using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using Workbench.Models;
using Workbench.Runtime;
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
        Optimizer = new Optimizers.AdamW(groups, config.LearningRate, beta1, beta2, config.Eps);   // TorchSharp's update, no Scalar made on the fly
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
    /// Throws <see cref="TrainingDivergedException"/> on a NaN or infinite loss (found on the logging step that reads it).
    /// </summary>
    public MetricsHistory Run(CancellationToken cancellationToken = default)
    {
        PrepareOutput();
        TrainingTask.Model.train();
        var interval = new LoggingInterval();
        try
        {
            while (Step < Config.Steps)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    if (interval.Steps > 0) Log(interval, evaluate: false);   // read what the last steps did before saving them
                    if (Config.OutputDir is not null && Step > 0 && lastCheckpointStep != Step) SaveCheckpoint();
                    break;
                }
                long step = Step + 1;
                TrainStep(step, interval);
                Step = step;

                bool evaluate = (Config.EvalEvery > 0 && step % Config.EvalEvery == 0) || step == Config.Steps;
                bool checkpoint = Config.OutputDir is not null && ((Config.CheckpointEvery > 0 && step % Config.CheckpointEvery == 0) || step == Config.Steps);
                if (evaluate || checkpoint || step % (Config.LogEvery ?? 1) == 0) Log(interval, evaluate);
                if (checkpoint)
                {
                    SaveCheckpoint();
                    interval.Clock.Restart();   // checkpoints are not training time either
                }
            }
        }
        finally
        {
            interval.Dispose();
        }
        return History;
    }

    /// <summary>
    /// How many times this trainer has read numbers back from the device: once per logging step (see
    /// <see cref="TrainerConfig.LogEvery"/>). Every other value a step needs stays on the device.
    /// </summary>
    public long HostReadbacks { get; private set; }

    /// <summary>
    /// One optimizer step: set the scheduled learning rate, accumulate the gradients of every micro-batch, clip, update,
    /// then let the task adjust its parameters. Gradients are zeroed at the start of a step, so after it they can still
    /// be inspected. Nothing is read back to the host here: the loss (summed into <paramref name="interval"/>) and the
    /// gradient norm stay on the device until the next logging step. All other temporaries die with the step's scope.
    /// </summary>
    void TrainStep(long step, LoggingInterval interval)
    {
        using var scope = torch.NewDisposeScope();
        // The CUDA generator state cannot be saved through TorchSharp 0.107; a per-step seed makes GPU dropout
        // resumable too (CPU runs restore the saved generator state instead).
        if (onCuda) torch.cuda.manual_seed_all(StepSeed(Config.Seed, step));

        double learningRate = Schedule.At(step);
        foreach (var (group, scale) in Optimizer.ParamGroups.Zip(groupScales)) group.LearningRate = learningRate * scale;

        Optimizer.zero_grad();
        int micro = Config.AccumulationSteps;
        Tensor? loss = null;
        using (MixedPrecision.Use(Config.Precision))
        {
            for (int m = 0; m < micro; m++)
            {
                var microLoss = TrainingTask.Loss(step, m);
                // Dividing each micro loss makes the summed gradients those of the mean over the whole batch.
                var share = micro == 1 ? microLoss : microLoss / micro;
                share.backward();
                loss = loss is null ? share.detach() : loss.Plus(share.detach());
            }
        }
        Tensor? gradNorm = Config.GradientClipNorm is double maxNorm ? ClipGradients(trainable, maxNorm) : null;
        Optimizer.step();
        using (torch.no_grad()) TrainingTask.AfterOptimizerStep();
        interval.Add(loss!, gradNorm, learningRate);
    }

    /// <summary>
    /// Scales the gradients down so that their global L2 norm is at most <paramref name="maxNorm"/>, as PyTorch's
    /// <c>clip_grad_norm_</c> does (coefficient <c>maxNorm / (norm + 1e-6)</c>, at most 1), but without reading the norm
    /// back to the host: it is returned as a tensor for the next logging step.
    /// <para>
    /// It makes no Scalar on the fly. TorchSharp turns a double into a Scalar (<c>vector_norm</c>'s order, the
    /// <c>pow(2)</c> behind <c>square()</c>, <c>norm + 1e-6</c> and the alpha of 1 behind it) and passes only its handle
    /// to LibTorch, so the garbage collector may finalise the Scalar while the native call still reads it
    /// (dotnet/TorchSharp#1434). In the test
    /// suite, where other threads allocate all the time, that gave a finite loss with a NaN gradient norm about one run
    /// in three; here the squares are products of tensors and every Scalar lives until the method returns.
    /// </para>
    /// </summary>
    public static Tensor ClipGradients(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        using var scope = torch.NewDisposeScope();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (grads.Count == 0) return torch.zeros(1, device: parameters[0].device)[0].MoveToOuterDisposeScope();
        var squares = grads.Select(g => { var flat = g.detach().flatten(); return flat.dot(flat); }).ToArray();
        var norm = torch.stack(squares).sum().sqrt();
        using Scalar epsilon = 1e-6, limit = maxNorm, one = 1.0;
        // add(Scalar) alone would make its alpha of 1 on the fly, so it is passed.
        var coefficient = norm.add(epsilon, one).reciprocal().mul(limit).clamp_max(one);
        using (torch.no_grad())
            foreach (var g in grads) g.mul_(coefficient);
        return norm.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A logging step: the one read-back of the interval (mean loss, this step's gradient norm, the task's step
    /// metrics, in one transfer), the NaN check, then the record, the log files and the events; evaluation when due.
    /// </summary>
    void Log(LoggingInterval interval, bool evaluate)
    {
        long step = Step;
        using (var scope = torch.NewDisposeScope())
        {
            var extra = TrainingTask.StepMetrics(step);
            var names = new List<string>();
            var scalars = new List<Tensor> { interval.Loss! / interval.Steps };
            if (interval.GradNorm is { } norm) { names.Add("grad_norm"); scalars.Add(norm); }
            foreach (var (name, value) in extra ?? new Dictionary<string, Tensor>()) { names.Add(name); scalars.Add(value); }
            var values = ReadBack(scalars);
            double loss = values[0];
            var metrics = new Dictionary<string, double>();
            for (int i = 0; i < names.Count; i++) metrics[names[i]] = values[i + 1];
            long firstStep = step - interval.Steps + 1;
            if (!double.IsFinite(loss)) throw new TrainingDivergedException(step, loss, LastCheckpoint, firstStep: firstStep);
            if (metrics.TryGetValue("grad_norm", out double gradNorm) && !double.IsFinite(gradNorm))
                throw new TrainingDivergedException(step, loss, LastCheckpoint, gradNorm, firstStep);

            double seconds = Math.Max(interval.Clock.Elapsed.TotalSeconds, 1e-9);
            int samples = TrainingTask.SamplesPerStep;
            var record = new StepRecord(step, loss, interval.LearningRate, interval.Steps / seconds,
                samples > 0 ? interval.Steps * samples / seconds : null, metrics);
            interval.Reset();

            EvaluationRecord? evaluation = evaluate ? Evaluate() : null;
            if (evaluation is not null) record = record with { Evaluation = evaluation.Metrics };
            History.Add(record);
            log?.Append(record);
            tensorBoard?.Append(record);
            StepEnded?.Invoke(record);
            if (evaluation is not null) EvalEnded?.Invoke(evaluation);
        }
        interval.Clock.Restart();   // evaluation, logging and events are not training time
    }

    /// <summary>
    /// Reads scalar tensors back to the host in one transfer (one synchronisation with the device), counted in
    /// <see cref="HostReadbacks"/>.
    /// </summary>
    double[] ReadBack(IReadOnlyList<Tensor> scalars)
    {
        HostReadbacks++;
        using var scope = torch.NewDisposeScope();
        var stacked = torch.stack(scalars.Select(s => s.detach().reshape(1).to(ScalarType.Float64)).ToArray()).reshape(-1);
        return stacked.cpu().data<double>().ToArray();
    }

    /// <summary>What the steps since the last logging step left on the device: their summed loss and the newest gradient norm.</summary>
    sealed class LoggingInterval : IDisposable
    {
        public Tensor? Loss { get; private set; }
        public Tensor? GradNorm { get; private set; }
        public int Steps { get; private set; }
        public double LearningRate { get; private set; }
        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        /// <summary>Adds a step's values (made inside the step's dispose scope: they are detached from it and kept).</summary>
        public void Add(Tensor loss, Tensor? gradNorm, double learningRate)
        {
            var sum = Loss is null ? loss.clone() : Loss.Plus(loss);
            Loss?.Dispose();
            Loss = sum.DetachFromDisposeScope();
            GradNorm?.Dispose();
            GradNorm = gradNorm?.clone().DetachFromDisposeScope();
            Steps++;
            LearningRate = learningRate;
        }

        public void Reset()
        {
            Dispose();
            Steps = 0;
        }

        public void Dispose()
        {
            Loss?.Dispose();
            GradNorm?.Dispose();
            Loss = GradNorm = null;
        }
    }

    /// <summary>
    /// Runs the task's evaluation in eval mode, then puts back training mode and the random state. The free memory the
    /// steps left with the allocator is given back before it and the evaluation's after it
    /// (<see cref="NativeAllocator.ReleaseFreeMemory"/>): their tensors have other shapes, so neither reuses the other's
    /// freed blocks, and otherwise one stacks on the other (LLaVA's quick stage 1: 1.46 GB peak before, 1.27-1.29 after).
    /// </summary>
    EvaluationRecord? Evaluate()
    {
        using var scope = torch.NewDisposeScope();
        var randomState = torch.random.get_rng_state();
        IReadOnlyDictionary<string, double>? metrics;
        TrainingTask.Model.eval();
        NativeAllocator.ReleaseFreeMemory();   // see the summary
        try
        {
            using (torch.no_grad())
            using (MixedPrecision.Use(Config.Precision))
                metrics = TrainingTask.Evaluate();
        }
        finally
        {
            TrainingTask.Model.train();
            torch.random.set_rng_state(randomState);
            NativeAllocator.ReleaseFreeMemory();
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
