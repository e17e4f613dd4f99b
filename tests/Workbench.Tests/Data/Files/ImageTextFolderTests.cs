using SixLabors.ImageSharp.PixelFormats;
using Workbench.Data.Files;

namespace Workbench.Tests.Data.Files;

public sealed class ImageTextFolderTests : IDisposable
{
    readonly SampleFilesFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>images/: good.png (40x20), photo.jpg (30x30), corrupt.png (garbage), bomb.png (claims 100000^2); missing.png absent.</summary>
    string MakeFolder()
    {
        folder.WriteImage("images/good.png", SampleFilesFolder.Solid(40, 20, new Rgb24(250, 10, 10)));
        folder.WriteImage("images/photo.jpg", SampleFilesFolder.Solid(30, 30, new Rgb24(10, 10, 250)));
        folder.WriteBytes("images/corrupt.png", Enumerable.Repeat((byte)0x5A, 100).ToArray());
        folder.WriteBytes("images/bomb.png", PngSurgery.WithClaimedSize(PngSurgery.SmallPng(), 100000, 100000));
        return folder.WriteText("captions.csv",
            "filepath,caption\n" +
            "good.png,a red image\n" +
            "corrupt.png,not really an image\n" +
            "missing.png,gone\n" +
            "photo.jpg,a blue photo\n" +
            "good.png,a red picture\n" +
            "bomb.png,a trap\n");
    }

    [Fact]
    public void SkipPolicyLeavesOutBadImagesAndReportsEachWithItsReason()
    {
        string captions = MakeFolder();
        var data = new ImageTextFolder(captions, folder.PathOf("images"), new ImageTextFolderOptions(ImageSize: 8));

        Assert.Equal(2, data.Count);
        Assert.Equal(["good.png", "photo.jpg"], data.Records.Select(r => r.RelativePath));
        var report = data.Report;
        Assert.Equal((5, 2, 3), (report.Listed, report.Usable, report.Skipped.Count));
        Assert.Equal(
            [("corrupt.png", ImageProblem.UnknownFormat, 3), ("missing.png", ImageProblem.Missing, 4), ("bomb.png", ImageProblem.TooManyPixels, 7)],
            report.Skipped.Select(s => (s.RelativePath, s.Problem, s.Line)));
        Assert.Contains("100000x100000", report.Skipped[2].Reason);
        Assert.Equal("captions.csv: 5 images listed, 2 usable, 3 skipped (Missing 1, UnknownFormat 1, TooManyPixels 1)", report.ToString());
    }

    [Fact]
    public void FailPolicyThrowsNamingTheFirstBadImage()
    {
        string captions = MakeFolder();
        var ex = Assert.Throws<ImageDecodeException>(() =>
            new ImageTextFolder(captions, folder.PathOf("images"), new ImageTextFolderOptions(OnBadImage: BadImagePolicy.Fail)));
        Assert.Equal(folder.PathOf("images/corrupt.png"), ex.FilePath);
        Assert.Contains("corrupt.png", ex.Message);
    }

    [Fact]
    public void GetDecodesResizesAndCropsWithCaptionsAndTheRelativePathAsId()
    {
        string captions = MakeFolder();
        var data = new ImageTextFolder(captions, folder.PathOf("images"), new ImageTextFolderOptions(ImageSize: 8));
        Assert.Equal("captions.csv", data.Name);
        Assert.Null(data.ClassNames);

        var sample = data.Get(0);
        Assert.Equal("good.png", sample.Id);
        Assert.Equal((8, 8), (sample.Image.Width, sample.Image.Height));
        Assert.Equal(new Rgb24(250, 10, 10), sample.Image[4, 4]);
        Assert.Equal(["a red image", "a red picture"], sample.Captions);
        Assert.Empty(sample.Questions);
        Assert.Equal(-1, sample.Label);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Get(2));
    }

    [Fact]
    public void PixelsAreReadLazilySoAFileRemovedAfterOpeningFailsInGetNamingIt()
    {
        string captions = MakeFolder();
        var data = new ImageTextFolder(captions, folder.PathOf("images"), new ImageTextFolderOptions(ImageSize: 8));
        File.Delete(folder.PathOf("images/photo.jpg"));
        Assert.Equal("good.png", data.Get(0).Id);
        var ex = Assert.Throws<ImageDecodeException>(() => data.Get(1));
        Assert.Equal(ImageProblem.Missing, ex.Problem);
        Assert.Contains("photo.jpg", ex.Message);
    }

    [Fact]
    public void VerifyPixelsAlsoSkipsImagesWhosePixelDataIsDamaged()
    {
        folder.WriteImage("good.png", SampleFilesFolder.Solid(4, 4, new Rgb24(1, 2, 3)));
        folder.WriteBytes("truncated.png", PngSurgery.SmallPng(64, 64)[..45]);
        string captions = folder.WriteText("c.jsonl", "{\"image\": \"good.png\", \"caption\": \"a\"}\n{\"image\": \"truncated.png\", \"caption\": \"b\"}\n");

        Assert.Equal(2, new ImageTextFolder(captions).Count); // the header alone looks fine
        var verified = new ImageTextFolder(captions, options: new ImageTextFolderOptions(VerifyPixels: true));
        Assert.Equal(1, verified.Count);
        Assert.Equal(ImageProblem.Corrupt, Assert.Single(verified.Report.Skipped).Problem);
    }

    [Fact]
    public void LlavaConversationsBecomeTheSampleQuestions()
    {
        folder.WriteImage("a.png", SampleFilesFolder.Solid(10, 10, new Rgb24(0, 255, 0)));
        string captions = folder.WriteText("llava.json",
            """[{"id": "1", "image": "a.png", "conversations": [{"from": "human", "value": "<image>\nWhat colour?"}, {"from": "gpt", "value": "Green."}]}]""");
        var sample = new ImageTextFolder(captions, options: new ImageTextFolderOptions(ImageSize: 4)).Get(0);
        Assert.Equal(["Green."], sample.Captions);
        var turn = Assert.Single(sample.Questions);
        Assert.Equal(("What colour?", "Green.", "conversation"), (turn.Question, turn.Answer, turn.Kind));
    }
}
