namespace Workbench.Data.Fashion;

/// <summary>
/// The captions and questions of a <see cref="FashionScenes"/> scene. Questions that would be ambiguous are not
/// asked: "what colour is the sneaker?" only when there is one sneaker, "what is red?" only when one item is red,
/// "where is the red sneaker?" only when there is one red sneaker. Question kinds: colour, item, count, exists, where.
/// </summary>
internal static class FashionSceneLanguage
{
    /// <summary>Paraphrases, the first canonical. Each names every item once as "{colour} {class}".</summary>
    public static IReadOnlyList<string> Captions(IReadOnlyList<SceneObject> items)
    {
        var named = items.Select(Named).ToArray();
        var placed = items.Select(i => $"{Named(i)} at the {i.Place}").ToArray();
        var cornered = items.Select(i => $"{Named(i)} in the {i.Place} corner").ToArray();
        string there = items.Count == 1
            ? $"there is {placed[0]}."
            : $"there are {FashionScenes.NumberWords[items.Count]} items: {Join(placed)}.";
        return
        [
            Join(placed),
            there,
            Join(cornered),
            $"a photo of {Join(named)}.",
            $"{Join(named)} on a dark background",
        ];
    }

    /// <summary>Questions with their answers, in a fixed order; the random choices come from <paramref name="rng"/>.</summary>
    public static IReadOnlyList<QuestionAnswer> Questions(IReadOnlyList<FashionSceneItem> items, Random rng)
    {
        var qa = new List<QuestionAnswer>
        {
            new("how many items are there?", FashionScenes.NumberWords[items.Count], "count"),
        };
        foreach (var item in items)
        {
            if (items.Count(i => i.Label == item.Label) == 1)
                qa.Add(new($"what colour is the {item.Kind}?", item.Color.Name, "colour"));
            if (items.Count(i => i.Color == item.Color) == 1)
                qa.Add(new($"what is {item.Color.Name}?", item.Kind, "item"));
            if (items.Count(i => i.Color == item.Color && i.Label == item.Label) == 1)
                qa.Add(new($"where is the {item.Color.Name} {item.Kind}?", item.Place, "where"));
        }
        for (int row = 0; row < FashionScenes.GridSize; row++)
        for (int column = 0; column < FashionScenes.GridSize; column++)
        {
            var at = items.FirstOrDefault(i => i.Row == row && i.Column == column);
            qa.Add(new($"what is at the {FashionScenes.PlaceName(row, column)}?", at is null ? "nothing" : $"{at.Color.Name} {at.Kind}", "item"));
        }

        var present = items[rng.Next(items.Count)];
        var absentLabels = Enumerable.Range(0, FashionClasses.Count).Where(l => items.All(i => i.Label != l)).ToArray();
        int absentLabel = absentLabels[rng.Next(absentLabels.Length)];
        qa.Add(new($"how many {FashionClasses.Plurals[present.Label]} are there?", CountWord(items, i => i.Label == present.Label), "count"));
        qa.Add(new($"how many {FashionClasses.Plurals[absentLabel]} are there?", FashionScenes.NumberWords[0], "count"));
        var someColor = items[rng.Next(items.Count)].Color;
        qa.Add(new($"how many {someColor.Name} items are there?", CountWord(items, i => i.Color == someColor), "count"));

        qa.Add(new($"is there {Named(present.ToSceneObject())}?", "yes", "exists"));
        // A near miss (the same class in another colour, or the same colour on another class), so that answering
        // needs the binding of colour to item, not only knowing which colours and which classes occur.
        var miss = NearMiss(items, present, rng);
        qa.Add(new($"is there {PromptTemplates.WithArticle($"{miss.Color} {FashionClasses.Words[miss.Label]}")}?", "no", "exists"));
        qa.Add(new($"is there {PromptTemplates.WithArticle(FashionClasses.Words[absentLabel])}?", "no", "exists"));
        return qa;
    }

    static (string Color, int Label) NearMiss(IReadOnlyList<FashionSceneItem> items, FashionSceneItem present, Random rng)
    {
        bool Absent(string color, int label) => !items.Any(i => i.Color.Name == color && i.Label == label);
        var otherColors = FashionPalette.Colors.Select(c => c.Name).Where(c => Absent(c, present.Label)).Select(c => (c, present.Label));
        var otherLabels = Enumerable.Range(0, FashionClasses.Count).Where(l => Absent(present.Color.Name, l)).Select(l => (present.Color.Name, l));
        var candidates = otherColors.Concat(otherLabels).ToArray();
        return candidates[rng.Next(candidates.Length)];
    }

    static string CountWord(IReadOnlyList<FashionSceneItem> items, Func<FashionSceneItem, bool> which) =>
        FashionScenes.NumberWords[items.Count(which)];

    static string Named(SceneObject item) => PromptTemplates.WithArticle($"{item.Color} {item.Kind}");

    static string Join(IReadOnlyList<string> parts) => parts.Count switch
    {
        1 => parts[0],
        _ => string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1],
    };
}
