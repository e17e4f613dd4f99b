namespace Workbench.Data;

/// <summary>Which part of a data set: the three are disjoint.</summary>
public enum Split
{
    /// <summary>For training.</summary>
    Train,
    /// <summary>For choosing hyperparameters and early stopping.</summary>
    Validation,
    /// <summary>For the numbers you report.</summary>
    Test,
}

/// <summary>A question about an image and its answer.</summary>
/// <param name="Question">The question, e.g. "what colour is the circle?".</param>
/// <param name="Answer">The answer, e.g. "red".</param>
/// <param name="Kind">What the question asks about: colour, shape, count, exists, where.</param>
public sealed record QuestionAnswer(string Question, string Answer, string Kind);

/// <summary>One object in a scene.</summary>
/// <param name="Kind">What it is: a shape ("circle") or, in FashionScenes, a garment class ("sneaker").</param>
/// <param name="Color">Its colour name ("red").</param>
/// <param name="Size">"small" or "large".</param>
/// <param name="Row">Grid row, 0 at the top.</param>
/// <param name="Column">Grid column, 0 at the left.</param>
/// <param name="Place">The place in words ("top left", "center", "bottom right"...).</param>
public sealed record SceneObject(string Kind, string Color, string Size, int Row, int Column, string Place);

/// <summary>The structured truth behind a generated image: what is drawn where.</summary>
/// <param name="Objects">The objects, in drawing order.</param>
/// <param name="GridRows">Rows of the placement grid.</param>
/// <param name="GridColumns">Columns of the placement grid.</param>
public sealed record Scene(IReadOnlyList<SceneObject> Objects, int GridRows, int GridColumns);

/// <summary>An image with its language: captions (several paraphrases), questions, and where known a class and a scene.</summary>
/// <param name="Id">Stable identifier (source, split and index, or the file name).</param>
/// <param name="Image">The pixels.</param>
/// <param name="Captions">One or more captions; the first is the canonical one.</param>
/// <param name="Questions">Question-answer pairs about the image (may be empty).</param>
/// <param name="Label">Class index where the source has classes, else -1.</param>
/// <param name="Scene">The structured scene for generated data, else null.</param>
public sealed record Sample(
    string Id,
    RgbImage Image,
    IReadOnlyList<string> Captions,
    IReadOnlyList<QuestionAnswer> Questions,
    int Label = -1,
    Scene? Scene = null);

/// <summary>A finite, indexable source of image-text samples. Get(i) is deterministic: the same i gives the same sample.</summary>
public interface IImageTextDataset
{
    /// <summary>A short name for reports and plots ("shapes", "fashion-mnist", a file name).</summary>
    string Name { get; }
    /// <summary>Number of samples.</summary>
    int Count { get; }
    /// <summary>The class names when the source has classes (Label indexes them), else null.</summary>
    IReadOnlyList<string>? ClassNames { get; }
    /// <summary>How the source words any scene, where it generates its scenes (hard negatives need it); else null.</summary>
    ISceneLanguage? Language => null;
    /// <summary>The sample at an index in [0, Count).</summary>
    Sample Get(int index);

    /// <summary>The id of the sample at an index, without building the sample when the source can avoid it.</summary>
    string IdOf(int index) => Get(index).Id;
}
