using System.Text;

namespace Workbench.Data.Shapes;

/// <summary>
/// The words of ShapesWorld: captions (several paraphrases of one scene) and questions with their answers. Everything
/// is lower case. Objects are described in reading order (top row first, left to right). Counts are written as words
/// ("two"), in captions and in answers alike; yes/no answers are "yes" and "no"; "where" answers are the place words of
/// <see cref="Palette.Places"/> ("top left", "center").
/// </summary>
public static class ShapesLanguage
{
    /// <summary><see cref="QuestionAnswer.Kind"/> of "what colour is the circle?" (answer "red").</summary>
    public const string ColourQuestion = "colour";
    /// <summary><see cref="QuestionAnswer.Kind"/> of "what shape is the red object?" (answer "circle").</summary>
    public const string ShapeQuestion = "shape";
    /// <summary><see cref="QuestionAnswer.Kind"/> of "how many shapes are there?" (answer "two").</summary>
    public const string CountQuestion = "count";
    /// <summary><see cref="QuestionAnswer.Kind"/> of "is there a green triangle?" (answer "yes" or "no").</summary>
    public const string ExistsQuestion = "exists";
    /// <summary><see cref="QuestionAnswer.Kind"/> of "where is the blue square?" (answer "center").</summary>
    public const string WhereQuestion = "where";

    private static readonly string[] NumberWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    /// <summary>Places as the canonical caption says them, row by row ("at the top left", "on the left", "in the center").</summary>
    private static readonly string[] AtPlace =
    [
        "at the top left", "at the top", "at the top right",
        "on the left", "in the center", "on the right",
        "at the bottom left", "at the bottom", "at the bottom right",
    ];

    /// <summary>The same places in a second phrasing, naming the corners.</summary>
    private static readonly string[] CornerPlace =
    [
        "in the top left corner", "at the top", "in the top right corner",
        "on the left", "in the center", "on the right",
        "in the bottom left corner", "at the bottom", "in the bottom right corner",
    ];

    /// <summary>A count in words: 0 to 9 as "zero" to "nine", larger numbers as digits.</summary>
    public static string NumberWord(int count) => count >= 0 && count < NumberWords.Length ? NumberWords[count] : count.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Five paraphrases of a scene, the canonical one first. For a large red circle at the top left and a small blue
    /// square in the center:
    /// <list type="number">
    /// <item>"a large red circle at the top left and a small blue square in the center"</item>
    /// <item>"there is a large red circle in the top left corner and a small blue square in the center"</item>
    /// <item>"two shapes: a large red circle at the top left and a small blue square in the center"</item>
    /// <item>"at the top left, a large red circle; in the center, a small blue square"</item>
    /// <item>"a red circle and a blue square" (no sizes or places)</item>
    /// </list>
    /// </summary>
    public static IReadOnlyList<string> Captions(IReadOnlyList<SceneObject> objects)
    {
        if (objects.Count == 0) throw new ArgumentException("a scene needs at least one object to describe", nameof(objects));
        var full = new string[objects.Count];
        var corner = new string[objects.Count];
        var placeFirst = new string[objects.Count];
        var brief = new string[objects.Count];
        for (int i = 0; i < objects.Count; i++)
        {
            var o = objects[i];
            int cell = o.Row * Palette.GridSize + o.Column;
            string described = $"{WithArticle(o.Size)} {o.Color} {o.Kind}";
            full[i] = $"{described} {AtPlace[cell]}";
            corner[i] = $"{described} {CornerPlace[cell]}";
            placeFirst[i] = $"{AtPlace[cell]}, {described}";
            brief[i] = $"{WithArticle(o.Color)} {o.Kind}";
        }
        string canonical = JoinList(full);
        return
        [
            canonical,
            "there is " + JoinList(corner),
            $"{NumberWord(objects.Count)} {(objects.Count == 1 ? "shape" : "shapes")}: {canonical}",
            string.Join("; ", placeFirst),
            JoinList(brief),
        ];
    }

    /// <summary>
    /// Questions with answers that the scene settles without ambiguity: the colour of each shape and the shape of each
    /// colour (naming the size too when the shape or colour alone would fit two objects, and skipping objects that even
    /// then are not unique), how many shapes there are in all and of one kind, one "is there" with answer yes and one
    /// with answer no (a present object with its colour or its shape changed), and where each object is.
    /// </summary>
    /// <param name="objects">The scene's objects.</param>
    /// <param name="random">Chooses which kind to count and which objects the yes/no questions start from.</param>
    public static IReadOnlyList<QuestionAnswer> Questions(IReadOnlyList<SceneObject> objects, Random random)
    {
        if (objects.Count == 0) throw new ArgumentException("a scene needs at least one object to ask about", nameof(objects));
        var questions = new List<QuestionAnswer>(4 * objects.Count + 4);

        foreach (var o in objects)
        {
            string? name = Unique(objects, o, Same.Kind) ? o.Kind
                : Unique(objects, o, Same.Kind | Same.Size) ? $"{o.Size} {o.Kind}" : null;
            if (name is not null) questions.Add(new($"what colour is the {name}?", o.Color, ColourQuestion));
        }
        foreach (var o in objects)
        {
            string? name = Unique(objects, o, Same.Color) ? $"{o.Color} object"
                : Unique(objects, o, Same.Color | Same.Size) ? $"{o.Size} {o.Color} object" : null;
            if (name is not null) questions.Add(new($"what shape is the {name}?", o.Kind, ShapeQuestion));
        }

        questions.Add(new("how many shapes are there?", NumberWord(objects.Count), CountQuestion));
        string counted = objects[random.Next(objects.Count)].Kind;
        int ofKind = 0;
        foreach (var o in objects) if (o.Kind == counted) ofKind++;
        var countedShape = Palette.ShapeNamed(counted) ?? throw new ArgumentException($"unknown shape '{counted}'", nameof(objects));
        questions.Add(new($"how many {Palette.PluralOf(countedShape)} are there?", NumberWord(ofKind), CountQuestion));

        var present = objects[random.Next(objects.Count)];
        questions.Add(new($"is there {WithArticle(present.Color)} {present.Kind}?", "yes", ExistsQuestion));
        var (absentColor, absentKind) = AbsentPair(objects, random);
        questions.Add(new($"is there {WithArticle(absentColor)} {absentKind}?", "no", ExistsQuestion));

        foreach (var o in objects)
        {
            string? name = Unique(objects, o, Same.Color | Same.Kind) ? $"{o.Color} {o.Kind}"
                : Unique(objects, o, Same.Color | Same.Kind | Same.Size) ? $"{o.Size} {o.Color} {o.Kind}" : null;
            if (name is not null) questions.Add(new($"where is the {name}?", o.Place, WhereQuestion));
        }
        return questions;
    }

    /// <summary>
    /// A colour and shape that no object has together. Mostly a hard negative: a present object with its colour or its
    /// shape changed, so that answering needs the binding of colour to shape, not just a list of the colours seen.
    /// </summary>
    private static (string Color, string Kind) AbsentPair(IReadOnlyList<SceneObject> objects, Random random)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            var o = objects[random.Next(objects.Count)];
            var (color, kind) = random.Next(2) == 0
                ? (Palette.Colors[random.Next(Palette.Colors.Count)].Name, o.Kind)
                : (o.Color, Palette.NameOf(Palette.Shapes[random.Next(Palette.Shapes.Count)]));
            if (!Has(objects, color, kind)) return (color, kind);
        }
        // Fewer objects than colour-shape pairs, so a scan from a random start always finds one.
        int pairs = Palette.Colors.Count * Palette.Shapes.Count, start = random.Next(pairs);
        for (int k = 0; k < pairs; k++)
        {
            int p = (start + k) % pairs;
            string color = Palette.Colors[p / Palette.Shapes.Count].Name, kind = Palette.NameOf(Palette.Shapes[p % Palette.Shapes.Count]);
            if (!Has(objects, color, kind)) return (color, kind);
        }
        throw new InvalidOperationException("every colour-shape pair is in the scene; no negative question can be asked");
    }

    private static bool Has(IReadOnlyList<SceneObject> objects, string color, string kind)
    {
        foreach (var o in objects) if (o.Color == color && o.Kind == kind) return true;
        return false;
    }

    /// <summary>Attributes that two objects share.</summary>
    [Flags]
    private enum Same { Kind = 1, Color = 2, Size = 4 }

    /// <summary>Whether no other object shares the given attributes with this one.</summary>
    private static bool Unique(IReadOnlyList<SceneObject> objects, SceneObject self, Same attributes)
    {
        foreach (var o in objects)
        {
            if (ReferenceEquals(o, self)) continue;
            if ((attributes & Same.Kind) != 0 && o.Kind != self.Kind) continue;
            if ((attributes & Same.Color) != 0 && o.Color != self.Color) continue;
            if ((attributes & Same.Size) != 0 && o.Size != self.Size) continue;
            return false;
        }
        return true;
    }

    private static string WithArticle(string word) => ("aeiou".Contains(word[0]) ? "an " : "a ") + word;

    /// <summary>"a", "a and b", "a, b and c".</summary>
    private static string JoinList(string[] items)
    {
        if (items.Length == 1) return items[0];
        var text = new StringBuilder();
        for (int i = 0; i < items.Length; i++)
        {
            if (i > 0) text.Append(i == items.Length - 1 ? " and " : ", ");
            text.Append(items[i]);
        }
        return text.ToString();
    }
}
