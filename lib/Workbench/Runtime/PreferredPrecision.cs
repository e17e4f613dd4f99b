using Workbench.Models;

namespace Workbench.Runtime;

/// <summary>
/// The precision every preset trains at on this machine: <c>bf16-mixed</c> where the CPU multiplies bfloat16 in hardware,
/// <c>fp32</c> elsewhere, unless <c>WORKBENCH_PRECISION</c> says otherwise.
/// <para>
/// Where it pays: on the 2-core AMD EPYC with <c>avx512_bf16</c> of 2026-12-01, bf16-mixed trained the reference CLIP
/// 2.3 to 2.5 times as fast as fp32, and the quick tower, LLaVA and Flamingo took 2.1 to 2.9 times as many steps a
/// second, to the same held-out accuracy within seed noise (docs/benchmarks.md, "bf16-mixed on a CPU with bfloat16 instructions"). Without
/// the instructions LibTorch emulates bfloat16 products and they run about ten times slower than fp32, so a machine
/// without them stays at fp32.
/// </para>
/// <para>
/// The preset writes the precision it resolved into the run's configuration, so run.json says which one a run used, a
/// resumed run keeps it on any machine, and the prerequisite cache keeps fp32 and bf16-mixed towers and language models
/// apart. <c>WORKBENCH_PRECISION=fp32</c> gives the same figures on every machine (the tests set it);
/// <c>WORKBENCH_PRECISION=bf16-mixed</c> forces bfloat16 (a GPU since Ampere has it; the check below reads only the
/// CPU's flags).
/// </para>
/// </summary>
public static class PreferredPrecision
{
    /// <summary>The environment variable: <c>auto</c> (or unset), <c>fp32</c> or <c>bf16-mixed</c>.</summary>
    public const string Variable = "WORKBENCH_PRECISION";

    static readonly Lazy<string?> instructions = new(() =>
    {
        try { return File.Exists("/proc/cpuinfo") ? Bf16InstructionIn(File.ReadAllText("/proc/cpuinfo")) : null; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    });

    /// <summary>The CPU flag that gives this machine bfloat16 dot products (<c>avx512_bf16</c>, <c>amx_bf16</c>), or null.</summary>
    public static string? Bf16Instruction => instructions.Value;

    static readonly ScopedValue<Precision> scoped = new();

    /// <summary>
    /// The precision presets take now: the innermost <see cref="Use"/> on this async flow, else <see cref="Variable"/> if
    /// set, else <see cref="Resolve"/>'s choice for this CPU.
    /// </summary>
    /// <exception cref="ArgumentException">The variable holds something other than auto, fp32 or bf16-mixed.</exception>
    public static Precision Current => scoped.Value ?? Resolve(Environment.GetEnvironmentVariable(Variable), Bf16Instruction);

    /// <summary>
    /// Presets built on this thread (and the async flow it starts) take <paramref name="precision"/> until disposed,
    /// whatever the variable says: a notebook cell that compares the two, or a test, without touching the process's
    /// environment that other threads read.
    /// </summary>
    public static IDisposable Use(Precision precision) => scoped.Use(precision);

    /// <summary>
    /// <paramref name="setting"/> (the variable's value) when it names a precision; for <c>auto</c>, empty or null,
    /// bf16-mixed when <paramref name="bf16Instruction"/> is a CPU flag that multiplies bfloat16, else fp32.
    /// </summary>
    public static Precision Resolve(string? setting, string? bf16Instruction)
    {
        if (IsAuto(setting)) return bf16Instruction is null ? Precision.Fp32 : Precision.Bf16Mixed;
        try
        {
            return MixedPrecision.Parse(setting!);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"{Variable}='{setting}': use auto, fp32 or bf16-mixed.");
        }
    }

    /// <summary>Whether the variable's value leaves the choice to the CPU: unset, empty or <c>auto</c>.</summary>
    static bool IsAuto(string? setting) => string.IsNullOrWhiteSpace(setting) || setting.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The first bfloat16 instruction flag of an x86 <c>/proc/cpuinfo</c>'s <c>flags</c> line (<c>avx512_bf16</c>: AVX-512
    /// BF16 dot products, Zen 4 and Cooper Lake on; <c>amx_bf16</c>: Intel's tile units, Sapphire Rapids on), or null.
    /// </summary>
    public static string? Bf16InstructionIn(string cpuinfo)
    {
        foreach (var line in cpuinfo.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon < 0 || line[..colon].Trim() != "flags") continue;
            var flags = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return new[] { "avx512_bf16", "amx_bf16" }.FirstOrDefault(flags.Contains);
        }
        return null;
    }

    /// <summary>One line for <c>workbench doctor</c>: what presets train at here, and why.</summary>
    public static string Describe()
    {
        string? setting = Environment.GetEnvironmentVariable(Variable);
        string why = !IsAuto(setting) ? $"{Variable}={setting}"
            : Bf16Instruction is { } flag ? $"auto: the CPU has {flag}" : "auto: the CPU has no bfloat16 instructions";
        try
        {
            return $"presets train in {MixedPrecision.Name(Current)} ({why}; {Variable}=fp32|bf16-mixed|auto)";
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
