using Workbench.Training.Clip;
using Workbench.Training.Flamingo;
using Workbench.Training.Language;
using Workbench.Training.Llava;
using Workbench.Training.Runs;
using static TorchSharp.torch;

namespace Workbench.Training;

/// <summary>
/// A method <c>workbench train &lt;name&gt;</c> can train: its preset configurations, changed by <c>--set</c>-style
/// assignments (<see cref="ConfigOverrides"/>), and a training run into a run folder. Sweeps validate their settings
/// against it and run trials in-process through it.
/// </summary>
public abstract class TrainableMethod
{
    /// <summary>The method's name as the CLI spells it.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The preset configuration for the data and seed with <paramref name="settings"/> (<c>Name=value</c>) applied; throws
    /// <see cref="ArgumentException"/> naming an unknown preset, setting or a value that does not fit, or a trainer
    /// setting out of range.
    /// </summary>
    public abstract IMethodConfig Configure(string data, string preset, int seed, IEnumerable<string> settings);

    /// <summary>Trains <paramref name="config"/> (from <see cref="Configure"/>) into <paramref name="folder"/>, resuming its newest checkpoint when <paramref name="resume"/>; returns the held-out report (null when cancelled).</summary>
    public abstract IRunReport? Train(IMethodConfig config, string folder, bool resume, Action<string>? log = null, CancellationToken cancel = default);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Every method the workbench trains from the command line; a new method is one more line in <see cref="All"/>.</summary>
public static class TrainableMethods
{
    /// <summary>The methods, in the order the CLI lists them.</summary>
    public static IReadOnlyList<TrainableMethod> All { get; } =
    [
        new Method<ClipRunConfig>("clip", (data, preset, seed) => ClipRunConfig.For(data, preset, seed), (config, log) => Fits(ClipRun.Create(config))),
        new Method<LanguageModelRunConfig>("lm", LanguageModelRunConfig.For, (config, log) => Fits(LanguageModelRun.Create(config))),
        new Method<LlavaRunConfig>("llava", (data, preset, seed) => LlavaRunConfig.For(data, preset, stage: 2, seed), (config, log) => Fits(LlavaRun.Create(config, log))),
        new Method<FlamingoRunConfig>("flamingo", FlamingoRunConfig.For, (config, log) => Fits(FlamingoRun.Create(config, log))),
    ];

    /// <summary>The method called <paramref name="name"/>; throws naming the methods for any other name.</summary>
    public static TrainableMethod Named(string name) =>
        All.FirstOrDefault(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown method '{name}': the methods are {string.Join(", ", All.Select(m => m.Name))}.");

    /// <summary>A method from its presets and its run factory; the run folder, fitting and disposal are shared.</summary>
    sealed class Method<TConfig>(string name, Func<string, string, int, TConfig> preset, Func<TConfig, Action<string>?, IFittable> create) : TrainableMethod
        where TConfig : IMethodConfig
    {
        public override string Name => name;

        public override IMethodConfig Configure(string data, string presetName, int seed, IEnumerable<string> settings)
        {
            var config = ConfigOverrides.Apply(preset(data, presetName, seed), settings);
            config.Trainer.Validate();
            return config;
        }

        public override IRunReport? Train(IMethodConfig config, string folder, bool resume, Action<string>? log = null, CancellationToken cancel = default) =>
            config is TConfig typed ? create(typed, log).Fit(folder, resume, cancel)
            : throw new ArgumentException($"{name}: expected a {typeof(TConfig).Name}, got a {config.GetType().Name}.");
    }

    /// <summary>A run whose model is freed once its report is written.</summary>
    interface IFittable
    {
        IRunReport? Fit(string folder, bool resume, CancellationToken cancel);
    }

    static IFittable Fits<TConfig, TModel, TReport>(MethodRun<TConfig, TModel, TReport> run)
        where TConfig : IMethodConfig where TModel : nn.Module where TReport : class, IRunReport => new Fittable<TConfig, TModel, TReport>(run);

    sealed class Fittable<TConfig, TModel, TReport>(MethodRun<TConfig, TModel, TReport> run) : IFittable
        where TConfig : IMethodConfig where TModel : nn.Module where TReport : class, IRunReport
    {
        public IRunReport? Fit(string folder, bool resume, CancellationToken cancel)
        {
            var result = run.Fit(folder, resume, cancel: cancel);
            result.Model.Dispose();
            return result.Report;
        }
    }
}
