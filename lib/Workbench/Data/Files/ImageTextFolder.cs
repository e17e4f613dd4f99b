namespace Workbench.Data.Files;

/// <summary>
/// Your own data: a folder of images and a caption file (CSV/TSV, JSON Lines, COCO or LLaVA) as an
/// <see cref="IImageTextDataset"/>. Every image is checked when the folder is opened (header, byte and pixel
/// limits; optionally a full decode), so <see cref="Count"/> is exact; bad images are skipped and reported, or fail
/// the opening, as <see cref="ImageTextFolderOptions.OnBadImage"/> says. Pixels are decoded lazily in
/// <see cref="Get"/>, resized and centre-cropped to the model's size as CLIP does. Get is thread-safe.
/// </summary>
public sealed class ImageTextFolder : IImageTextDataset
{
    readonly ImageDecoder decoder;
    readonly int imageSize;

    /// <summary>The caption file's name.</summary>
    public string Name { get; }
    /// <summary>Usable images.</summary>
    public int Count => Records.Count;
    /// <summary>Always null: captions, not classes.</summary>
    public IReadOnlyList<string>? ClassNames => null;
    /// <summary>The usable images and their captions, in caption file order.</summary>
    public IReadOnlyList<ImageTextRecord> Records { get; }
    /// <summary>What opening found: listed, usable, and the skipped images with reasons.</summary>
    public ImageFolderReport Report { get; }

    /// <summary>
    /// Opens a caption file over an image folder (by default the caption file's folder) and checks every image.
    /// </summary>
    /// <exception cref="CaptionFileException">The caption file is malformed (names the line).</exception>
    /// <exception cref="ImageDecodeException">An image is bad and the policy is <see cref="BadImagePolicy.Fail"/> (names the file).</exception>
    public ImageTextFolder(string captionFile, string? imageRoot = null, ImageTextFolderOptions? options = null)
    {
        options ??= new ImageTextFolderOptions();
        if (options.ImageSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), $"ImageSize must be positive, got {options.ImageSize}");
        imageSize = options.ImageSize;
        decoder = new ImageDecoder(options.Limits);
        Name = Path.GetFileName(captionFile);

        var contents = CaptionFile.Read(captionFile, imageRoot, options.Captions);
        var usable = new List<ImageTextRecord>(contents.Records.Count);
        var skipped = new List<SkippedImage>();
        foreach (var record in contents.Records)
        {
            try
            {
                if (options.VerifyPixels) decoder.Decode(record.ImagePath).Dispose();
                else decoder.Identify(record.ImagePath);
                usable.Add(record);
            }
            catch (ImageDecodeException ex) when (options.OnBadImage == BadImagePolicy.Skip)
            {
                skipped.Add(new SkippedImage(record.RelativePath, record.ImagePath, record.Line, ex.Problem, ex.Reason));
            }
        }
        Records = usable;
        Report = new ImageFolderReport(contents.FilePath, contents.Format, contents.Records.Count, skipped,
            contents.EntriesWithoutImage, contents.ImagesWithoutCaptions);
    }

    /// <summary>The image path as the caption file writes it: the sample's id, without decoding the image.</summary>
    public string IdOf(int index) => Records[index].RelativePath;

    /// <summary>
    /// The image at an index, decoded, resized and centre-cropped, with its captions and conversation turns.
    /// Id is the image path as the caption file writes it.
    /// </summary>
    /// <exception cref="ImageDecodeException">The file changed since opening, or its pixel data is damaged (names the file).</exception>
    public Sample Get(int index)
    {
        if ((uint)index >= (uint)Records.Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"{Name} has {Records.Count} images, asked for index {index}");
        var record = Records[index];
        using var image = decoder.Decode(record.ImagePath);
        return new Sample(record.RelativePath, ImagePreprocessing.ResizeAndCenterCrop(image, imageSize), record.Captions, record.Turns);
    }
}
