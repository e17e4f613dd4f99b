namespace Workbench.Data.Files;

/// <summary>What to do with images that are missing, damaged or over the limits.</summary>
public enum BadImagePolicy
{
    /// <summary>Leave them out and list them in the report (file and reason); Count is the usable images.</summary>
    Skip,
    /// <summary>Throw on the first one, naming the file.</summary>
    Fail,
}

/// <summary>How to open an image folder with a caption file.</summary>
/// <param name="ImageSize">The model's input size: images are resized (shorter side) and centre-cropped to this square.</param>
/// <param name="OnBadImage">Skip bad images (and report them) or fail on the first.</param>
/// <param name="Captions">How to read the caption file (format and CSV column names); detected from the extension by default.</param>
/// <param name="Limits">Byte and pixel limits for each image; <see cref="ImageDecodeLimits.Default"/> when null.</param>
/// <param name="VerifyPixels">
/// When opening, decode every image fully instead of reading only its header. Slower (a full pass over the data),
/// but also catches files whose header is sound and whose pixel data is truncated or damaged; without it such a
/// file fails later, in <see cref="ImageTextFolder.Get"/>, with an error naming it.
/// </param>
public sealed record ImageTextFolderOptions(
    int ImageSize = 224,
    BadImagePolicy OnBadImage = BadImagePolicy.Skip,
    CaptionFileOptions? Captions = null,
    ImageDecodeLimits? Limits = null,
    bool VerifyPixels = false);
