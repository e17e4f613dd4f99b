namespace Workbench.Data;

/// <summary>A colour with its name in words, as generated scenes draw and describe it.</summary>
/// <param name="Name">The word used in captions and answers ("red").</param>
/// <param name="R">Red, 0..255.</param>
/// <param name="G">Green, 0..255.</param>
/// <param name="B">Blue, 0..255.</param>
public readonly record struct NamedColor(string Name, byte R, byte G, byte B);
