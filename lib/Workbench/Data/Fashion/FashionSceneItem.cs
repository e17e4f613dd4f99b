namespace Workbench.Data.Fashion;

/// <summary>One item placed in a <see cref="FashionScenes"/> scene: which image, tinted how, where.</summary>
/// <param name="ItemIndex">Index of the item in the split's items (<see cref="FashionScenes.Items"/>).</param>
/// <param name="SourceIndex">Index of the item in the underlying file (for Fashion-MNIST: the official train or t10k file).</param>
/// <param name="Label">Class index into <see cref="FashionClasses.Words"/>.</param>
/// <param name="Color">The tint.</param>
/// <param name="Row">Quadrant row: 0 top, 1 bottom.</param>
/// <param name="Column">Quadrant column: 0 left, 1 right.</param>
public sealed record FashionSceneItem(int ItemIndex, int SourceIndex, int Label, NamedColor Color, int Row, int Column)
{
    /// <summary>The class word ("sneaker").</summary>
    public string Kind => FashionClasses.Words[Label];
    /// <summary>The place in words ("top left").</summary>
    public string Place => FashionScenes.PlaceName(Row, Column);
    /// <summary>The item as a scene object (size "large": every item fills its quadrant).</summary>
    public SceneObject ToSceneObject() => new(Kind, Color.Name, "large", Row, Column, Place);
}
