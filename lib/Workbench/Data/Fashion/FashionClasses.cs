namespace Workbench.Data.Fashion;

/// <summary>
/// The ten Fashion-MNIST classes, indexed by label. <see cref="Words"/> are the names used in captions and answers:
/// lower case, singular, and chosen to read naturally after an article ("a photo of a {}."): the official
/// "T-shirt/top" becomes "t-shirt" and "Trouser" becomes "pair of trousers" (each image shows a pair, and
/// "a trouser" is not English). The others are the official names in lower case.
/// </summary>
public static class FashionClasses
{
    /// <summary>The class names of the official release (Xiao, Rasul and Vollgraf, 2017), indexed by label.</summary>
    public static readonly IReadOnlyList<string> OfficialNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The names used in captions, questions and answers, indexed by label.</summary>
    public static readonly IReadOnlyList<string> Words =
        ["t-shirt", "pair of trousers", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

    /// <summary>The plurals of <see cref="Words"/>, for counting questions ("how many sneakers are there?").</summary>
    public static readonly IReadOnlyList<string> Plurals =
        ["t-shirts", "pairs of trousers", "pullovers", "dresses", "coats", "sandals", "shirts", "sneakers", "bags", "ankle boots"];

    /// <summary>The number of classes (10).</summary>
    public static int Count => Words.Count;

    /// <summary>The label of a caption word ("sneaker" gives 7), or -1.</summary>
    public static int LabelOf(string word)
    {
        for (int i = 0; i < Words.Count; i++)
            if (Words[i] == word) return i;
        return -1;
    }
}
