namespace Workbench.Data;

/// <summary>
/// How a generated data set words its scenes: the captions of any <see cref="Scene"/>, not only of the scenes it drew.
/// With it a caption can be made for a scene that is not in the image (<see cref="HardNegatives"/>), word for word as
/// the data set would have written it, so that only the changed binding tells the two captions apart.
/// </summary>
public interface ISceneLanguage
{
    /// <summary>The scene's captions, in the order <see cref="Sample.Captions"/> holds them (the canonical one first).</summary>
    IReadOnlyList<string> Captions(Scene scene);

    /// <summary>Every object kind the data set draws ("circle", "square", ... or the garment classes).</summary>
    IReadOnlyList<string> Kinds { get; }
}

/// <summary>
/// NegCLIP's hard negatives (Yuksekgonul et al. 2023, "When and why vision-language models behave like bags-of-words"):
/// a caption of the same scene with two objects' kinds swapped, so that it holds exactly the same words and only the
/// binding of kind to colour, size and place is wrong. A scene whose objects are all of one kind has no such swap; its
/// negative changes one object's kind to another that the data set draws.
/// </summary>
public static class HardNegatives
{
    /// <summary>
    /// The scene with two objects of different kinds swapping kinds, chosen by <paramref name="random"/>; or, when every
    /// object has the same kind, with one object's kind replaced by another of <paramref name="kinds"/>.
    /// </summary>
    /// <returns>The changed scene, and whether it is a swap (the same bag of words) or a replacement.</returns>
    public static (Scene Scene, bool Swapped) Negative(Scene scene, IReadOnlyList<string> kinds, Random random)
    {
        var objects = scene.Objects.ToArray();
        if (objects.Length == 0) throw new ArgumentException("a scene needs at least one object for a hard negative", nameof(scene));
        var pairs = new List<(int, int)>();
        for (int i = 0; i < objects.Length; i++)
            for (int j = i + 1; j < objects.Length; j++)
                if (objects[i].Kind != objects[j].Kind) pairs.Add((i, j));
        if (pairs.Count > 0)
        {
            var (a, b) = pairs[random.Next(pairs.Count)];
            (objects[a], objects[b]) = (objects[a] with { Kind = objects[b].Kind }, objects[b] with { Kind = objects[a].Kind });
            return (scene with { Objects = objects }, true);
        }
        var others = kinds.Where(k => k != objects[0].Kind).ToList();
        if (others.Count == 0) throw new ArgumentException($"no kind other than '{objects[0].Kind}' to replace it with", nameof(kinds));
        int at = random.Next(objects.Length);
        objects[at] = objects[at] with { Kind = others[random.Next(others.Count)] };
        return (scene with { Objects = objects }, false);
    }

    /// <summary>
    /// The hard-negative caption of <paramref name="sample"/> in the wording of its caption number <paramref name="paraphrase"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The sample has no scene (only generated data sets know what their images hold).</exception>
    public static (string Caption, bool Swapped) Caption(ISceneLanguage language, Sample sample, int paraphrase, Random random)
    {
        var scene = sample.Scene ?? throw new ArgumentException($"{sample.Id} has no scene to build a hard negative from");
        var (negative, swapped) = Negative(scene, language.Kinds, random);
        return (language.Captions(negative)[paraphrase], swapped);
    }
}
