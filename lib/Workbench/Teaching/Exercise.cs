namespace Workbench.Teaching;

/// <summary>
/// Workshop exercises: a notebook's exercise cell holds a stub the attendee fills in, and its check cell calls
/// <see cref="Check"/>, which runs the attendee's function and the library's own on the same random and edge-case
/// inputs and shows pass, or the first input they disagree on with both values and a hint. A check never throws for
/// the attendee's mistakes, so the notebook runs on (its later cells use the library's implementation).
/// <para>Adding an exercise: define it (see <see cref="ClipExercises"/>) and list it in <see cref="All"/>.</para>
/// </summary>
public static class Exercise
{
    /// <summary>Every exercise, in notebook order.</summary>
    public static IReadOnlyList<ExerciseDefinition> All { get; } =
    [
        ClipExercises.InfoNce,
        ClipExercises.ZeroShot,
        LlavaExercises.Splice,
        LlavaExercises.LossMask,
        FlamingoExercises.MediaMask,
        FlamingoExercises.TanhGate,
    ];

    /// <summary>The exercise with this id; an unknown id fails naming the known ones.</summary>
    public static ExerciseDefinition Find(string id) =>
        All.FirstOrDefault(e => e.Id == id)
        ?? throw new ArgumentException($"No exercise '{id}'. The exercises: {string.Join(", ", All.Select(e => e.Id))}.", nameof(id));

    /// <summary>
    /// Checks the attendee's function against the library's implementation; the report shows as a panel in a notebook.
    /// </summary>
    /// <param name="id">The exercise, e.g. <c>clip-infonce</c>.</param>
    /// <param name="attendee">The attendee's function, e.g. a local function passed by name.</param>
    public static ExerciseReport Check(string id, Delegate attendee) => Find(id).Check(attendee);
}
