using static TorchSharp.torch;

namespace Workbench.Teaching;

/// <summary>
/// One exercise: what the attendee writes (<see cref="Signature"/>), in which notebook, and a check that runs their
/// function and the library's own on the same inputs (<see cref="Check"/>).
/// </summary>
public abstract class ExerciseDefinition
{
    /// <summary>The id the notebook's check cell names, e.g. <c>clip-infonce</c>.</summary>
    public abstract string Id { get; }
    /// <summary>What the attendee writes, in a few words.</summary>
    public abstract string Title { get; }
    /// <summary>The notebook the exercise lives in (file name without extension), e.g. <c>02-clip</c>.</summary>
    public abstract string Notebook { get; }
    /// <summary>The C# signature the attendee's function must have.</summary>
    public abstract string Signature { get; }
    /// <summary>Inputs the check runs.</summary>
    public abstract int InputCount { get; }

    /// <summary>Runs <paramref name="attendee"/> against the library on every input; never throws for the attendee's errors.</summary>
    public abstract ExerciseReport Check(Delegate attendee);
}

/// <summary>
/// One input of a check: a description the report shows when it fails, a hint, and how to compare the attendee's
/// function with the library's on it.
/// </summary>
/// <typeparam name="TFunction">The attendee's function type.</typeparam>
/// <param name="Input">The input, in words and values.</param>
/// <param name="Hint">What to look at when this input fails, without the answer.</param>
/// <param name="Compare">Runs the attendee's function on the input and compares it with the library's result.</param>
public sealed record ExerciseInput<TFunction>(string Input, string Hint, Func<TFunction, Comparison> Compare) where TFunction : Delegate;

/// <summary>One comparison: whether the attendee's value agrees with the library's, and both in words.</summary>
/// <param name="Agrees">Whether they agree.</param>
/// <param name="Expected">The library's value.</param>
/// <param name="Actual">The attendee's value.</param>
public sealed record Comparison(bool Agrees, string Expected, string Actual)
{
    /// <summary>
    /// Compares tensors: the same shape and values within <paramref name="tolerance"/> (relative to the larger of 1 and
    /// the expected value; NaN never agrees). <paramref name="describe"/> writes a tensor in words (default:
    /// <see cref="ExerciseValues.Describe"/>).
    /// </summary>
    public static Comparison OfTensors(Tensor expected, Tensor actual, double tolerance = 1e-4, Func<Tensor, string>? describe = null)
    {
        describe ??= t => ExerciseValues.Describe(t);
        string e = describe(expected);
        bool bothScalars = expected.numel() == 1 && actual.numel() == 1;   // a loss of shape () or (1) is the same number
        if (!bothScalars && !expected.shape.SequenceEqual(actual.shape))
            return new Comparison(false, e, $"a tensor of shape ({string.Join(", ", actual.shape)}), not ({string.Join(", ", expected.shape)}): " + ExerciseValues.Describe(actual));
        using var scope = NewDisposeScope();
        var x = expected.detach().cpu().to_type(ScalarType.Float64).flatten();
        var y = actual.detach().cpu().to_type(ScalarType.Float64).flatten();
        bool agrees = x.numel() == 0 || (y - x).abs().le(tolerance * x.abs().clamp_min(1)).all().item<bool>();
        return new Comparison(agrees, e, describe(actual));
    }
}

/// <summary>An exercise whose attendee function has type <typeparamref name="TFunction"/>, checked on fixed inputs.</summary>
/// <typeparam name="TFunction">The function type, e.g. <c>Func&lt;Tensor, double, Tensor&gt;</c>.</typeparam>
public sealed class ExerciseDefinition<TFunction> : ExerciseDefinition where TFunction : Delegate
{
    readonly Func<IReadOnlyList<ExerciseInput<TFunction>>> inputs;

    int? inputCount;

    /// <summary>Defines an exercise. <paramref name="inputs"/> builds the inputs (tensors) each time a check runs.</summary>
    public ExerciseDefinition(string id, string title, string notebook, string signature, Func<IReadOnlyList<ExerciseInput<TFunction>>> inputs)
    {
        (Id, Title, Notebook, Signature) = (id, title, notebook, signature);
        this.inputs = inputs;
    }

    /// <inheritdoc />
    public override string Id { get; }
    /// <inheritdoc />
    public override string Title { get; }
    /// <inheritdoc />
    public override string Notebook { get; }
    /// <inheritdoc />
    public override string Signature { get; }
    /// <inheritdoc />
    public override int InputCount
    {
        get
        {
            if (inputCount is null)
            {
                using var scope = NewDisposeScope();
                inputCount = inputs().Count;
            }
            return inputCount.Value;
        }
    }

    /// <inheritdoc />
    public override ExerciseReport Check(Delegate attendee)
    {
        ArgumentNullException.ThrowIfNull(attendee);
        if (Adapt(attendee) is not { } function)
            return Report(ExerciseOutcome.Failed, 0, new FailedInput("(the function itself)", $"a function {Signature}",
                $"a function {Describe(attendee)}", "Keep the parameter and return types of the stub; only its body changes."));
        using var scope = NewDisposeScope();
        var all = inputs();
        for (int i = 0; i < all.Count; i++)
        {
            var input = all[i];
            Comparison result;
            try
            {
                using (no_grad()) result = input.Compare(function);
            }
            catch (Exception e) when (Unwrap(e) is NotImplementedException)
            {
                return Report(ExerciseOutcome.NotImplemented, i, null);
            }
            catch (Exception e)
            {
                var inner = Unwrap(e);
                return Report(ExerciseOutcome.Failed, i, new FailedInput(input.Input, "a value (see the library's result by fixing the error)",
                    $"threw {inner.GetType().Name}: {inner.Message}", input.Hint));
            }
            if (!result.Agrees)
                return Report(ExerciseOutcome.Failed, i, new FailedInput(input.Input, result.Expected, result.Actual, input.Hint));
        }
        return Report(ExerciseOutcome.Passed, all.Count, null);
    }

    ExerciseReport Report(ExerciseOutcome outcome, int passed, FailedInput? failure) =>
        new(Id, Title, outcome, passed, InputCount, failure);

    /// <summary>The attendee's delegate as <typeparamref name="TFunction"/>: as given, or its method bound to that type.</summary>
    static TFunction? Adapt(Delegate attendee) =>
        attendee as TFunction ?? Delegate.CreateDelegate(typeof(TFunction), attendee.Target, attendee.Method, throwOnBindFailure: false) as TFunction;

    static string Describe(Delegate d) =>
        $"{d.Method.ReturnType.Name} ({string.Join(", ", d.Method.GetParameters().Select(p => $"{p.ParameterType.Name} {p.Name}"))})";

    static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerException: { } inner }) e = inner;
        while (e is System.Reflection.TargetInvocationException { InnerException: { } inner2 }) e = inner2;
        return e;
    }
}
