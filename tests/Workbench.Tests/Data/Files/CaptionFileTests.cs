using Workbench.Data;
using Workbench.Data.Files;

namespace Workbench.Tests.Data.Files;

public sealed class CaptionFileTests : IDisposable
{
    readonly SampleFilesFolder folder = new();

    public void Dispose() => folder.Dispose();

    string Images => folder.PathOf("images");

    [Fact]
    public void CsvRowsAboutTheSameImageBecomeOneRecordWithAllCaptions()
    {
        string path = folder.WriteText("captions.csv",
            "filepath,caption\n" +
            "cats/a.png,a cat\n" +
            "dogs/b.jpg,\"a dog, sitting\"\n" +
            "cats/a.png,  a cat on a mat  \n");
        var contents = CaptionFile.Read(path, Images);

        Assert.Equal(CaptionFormat.Csv, contents.Format);
        Assert.Equal(2, contents.Records.Count);
        var a = contents.Records[0];
        Assert.Equal("cats/a.png", a.RelativePath);
        Assert.Equal(Path.Combine(Images, "cats", "a.png"), a.ImagePath);
        Assert.Equal(["a cat", "a cat on a mat"], a.Captions);
        Assert.Equal(2, a.Line);
        Assert.Empty(a.Turns);
        var b = contents.Records[1];
        Assert.Equal(("dogs/b.jpg", 3), (b.RelativePath, b.Line));
        Assert.Equal(["a dog, sitting"], b.Captions);
    }

    [Fact]
    public void TsvIsReadWithTabsAndTheImageRootDefaultsToTheCaptionFolder()
    {
        string path = folder.WriteText("sub/captions.tsv", "caption\tfilepath\nred, green and blue\tx.png\n");
        var contents = CaptionFile.Read(path);
        Assert.Equal(CaptionFormat.Tsv, contents.Format);
        var record = Assert.Single(contents.Records);
        Assert.Equal(["red, green and blue"], record.Captions);
        Assert.Equal(folder.PathOf("sub/x.png"), record.ImagePath);
    }

    [Fact]
    public void CsvColumnNamesCanBeChosen()
    {
        string path = folder.WriteText("c.csv", "id,image,title\n1,p.png,a boat\n");
        var contents = CaptionFile.Read(path, Images, new CaptionFileOptions(ImageColumn: "image", CaptionColumn: "title"));
        Assert.Equal(["a boat"], Assert.Single(contents.Records).Captions);
    }

    [Fact]
    public void CsvWithoutTheCaptionColumnNamesTheFileAndTheColumn()
    {
        string path = folder.WriteText("nocaption.csv", "filepath,title\na.png,a cat\n");
        var ex = Assert.Throws<CaptionFileException>(() => CaptionFile.Read(path, Images));
        Assert.Contains(path, ex.Message);
        Assert.Contains("'caption' column", ex.Message);
        Assert.Contains("'title'", ex.Message); // the columns it does have
        Assert.Equal(1, ex.Line);
    }

    [Fact]
    public void CsvWithBadQuotingNamesTheLine()
    {
        string path = folder.WriteText("quotes.csv", "filepath,caption\na.png,fine\nb.png,\"unfinished\"quote\nc.png,fine\n");
        var ex = Assert.Throws<CaptionFileException>(() => CaptionFile.Read(path, Images));
        Assert.Equal(3, ex.Line);
        Assert.Contains($"{path}, line 3", ex.Message);
    }

    [Fact]
    public void CsvRowWithMissingFieldsNamesTheLine()
    {
        string path = folder.WriteText("short.csv", "filepath,caption\na.png,fine\n\nb.png\n");
        var ex = Assert.Throws<CaptionFileException>(() => CaptionFile.Read(path, Images));
        Assert.Equal(4, ex.Line);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void JsonLinesAcceptsEachImageFieldAndCaptionField()
    {
        string path = folder.WriteText("c.jsonl", string.Join("\n",
            """{"image": "a.png", "caption": "one"}""",
            """{"file_name": "b.png", "text": "two"}""",
            "",
            """{"filepath": "c.png", "captions": ["three", "four"]}""",
            """{"filename": "a.png", "caption": "five", "other": 1}"""));
        var records = CaptionFile.Read(path, Images).Records;
        Assert.Equal(["a.png", "b.png", "c.png"], records.Select(r => r.RelativePath));
        Assert.Equal(["one", "five"], records[0].Captions);
        Assert.Equal(["two"], records[1].Captions);
        Assert.Equal(["three", "four"], records[2].Captions);
        Assert.Equal([1, 2, 4], records.Select(r => r.Line));
    }

    [Fact]
    public void JsonLinesWithInvalidJsonOnLine3NamesTheFileAndLine3()
    {
        string path = folder.WriteText("bad.jsonl",
            "{\"image\": \"a.png\", \"caption\": \"one\"}\n{\"image\": \"b.png\", \"caption\": \"two\"}\n{\"image\": \"c.png\", caption: three}\n");
        var ex = Assert.Throws<CaptionFileException>(() => CaptionFile.Read(path, Images));
        Assert.Equal(3, ex.Line);
        Assert.Contains($"{path}, line 3", ex.Message);
        Assert.Contains("invalid JSON", ex.Message);
    }

    [Fact]
    public void JsonLinesWithoutACaptionNamesTheLine()
    {
        string path = folder.WriteText("nocap.jsonl", "{\"image\": \"a.png\", \"caption\": \"one\"}\n{\"image\": \"b.png\"}\n");
        var ex = Assert.Throws<CaptionFileException>(() => CaptionFile.Read(path, Images));
        Assert.Equal(2, ex.Line);
        Assert.Contains("no caption field", ex.Message);
    }

    const string Coco = """
        {
          "info": {"description": "test"},
          "annotations": [
            {"image_id": 7, "id": 1, "caption": "A man riding a bike.\n"},
            {"image_id": 3, "id": 2, "caption": "Two dogs."},
            {"image_id": 7, "id": 3, "caption": "A cyclist on a road."}
          ],
          "images": [
            {"id": 3, "file_name": "000000000003.jpg", "width": 640},
            {"id": 5, "file_name": "000000000005.jpg"},
            {"id": 7, "file_name": "000000000007.jpg"}
          ]
        }
        """;

    [Fact]
    public void CocoAnnotationsAreGroupedByImage()
    {
        string path = folder.WriteText("captions_val.json", Coco);
        var contents = CaptionFile.Read(path, Images);
        Assert.Equal(CaptionFormat.Coco, contents.Format);
        Assert.Equal(["000000000003.jpg", "000000000007.jpg"], contents.Records.Select(r => r.RelativePath));
        Assert.Equal(["Two dogs."], contents.Records[0].Captions);
        Assert.Equal(["A man riding a bike.", "A cyclist on a road."], contents.Records[1].Captions);
        Assert.Equal([9, 11], contents.Records.Select(r => r.Line)); // lines of the image entries
        Assert.Equal(1, contents.ImagesWithoutCaptions);             // image 5
    }

    [Fact]
    public void CocoAnnotationOfAnUnknownImageNamesItsLine()
    {
        string path = folder.WriteText("orphan.json", Coco.Replace("\"image_id\": 3,", "\"image_id\": 4,"));
        var ex = Assert.Throws<CaptionFileException>(() => CaptionFile.Read(path, Images));
        Assert.Equal(5, ex.Line);
        Assert.Contains("annotations[1] refers to image_id 4", ex.Message);
    }

    [Fact]
    public void InvalidJsonInACocoFileNamesTheLine()
    {
        string path = folder.WriteText("broken.json", Coco.Replace("\"Two dogs.\"}", "\"Two dogs.\"]"));
        var ex = Assert.Throws<CaptionFileException>(() => CaptionFile.Read(path, Images));
        Assert.Equal(5, ex.Line);
        Assert.Contains("invalid JSON", ex.Message);
    }

    const string Llava = """
        [
          {
            "id": "000000033471",
            "image": "coco/000000033471.jpg",
            "conversations": [
              {"from": "human", "value": "<image>\nWhat are the colors of the bus in the image?"},
              {"from": "gpt", "value": "The bus in the image is white and red."},
              {"from": "human", "value": "What feature can be seen on the back of the bus?"},
              {"from": "gpt", "value": "The back of the bus features an advertisement."}
            ]
          },
          {"id": "text-only-1", "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]},
          {
            "id": 52846,
            "image": "coco/000000052846.jpg",
            "conversations": [
              {"from": "human", "value": "Where is the cat?\n<image>"},
              {"from": "gpt", "value": "On the sofa."}
            ]
          }
        ]
        """;

    [Fact]
    public void LlavaTurnsBecomeQuestionsWithTheImageMarkerRemovedAndTheFirstReplyAsCaption()
    {
        string path = folder.WriteText("llava_instruct.json", Llava);
        var contents = CaptionFile.Read(path, Images);
        Assert.Equal(CaptionFormat.Llava, contents.Format);
        Assert.Equal(2, contents.Records.Count);
        Assert.Equal(1, contents.EntriesWithoutImage);

        var bus = contents.Records[0];
        Assert.Equal("coco/000000033471.jpg", bus.RelativePath);
        Assert.Equal(2, bus.Line);
        Assert.Equal(
        [
            new QuestionAnswer("What are the colors of the bus in the image?", "The bus in the image is white and red.", "conversation"),
            new QuestionAnswer("What feature can be seen on the back of the bus?", "The back of the bus features an advertisement.", "conversation"),
        ], bus.Turns);
        Assert.Equal(["The bus in the image is white and red."], bus.Captions);
        Assert.Equal("Where is the cat?", contents.Records[1].Turns[0].Question);
    }

    [Fact]
    public void LlavaEntriesAboutTheSameImageAreMerged()
    {
        string path = folder.WriteText("twice.json", Llava.Replace("000000052846.jpg", "000000033471.jpg"));
        var record = Assert.Single(CaptionFile.Read(path, Images).Records);
        Assert.Equal(3, record.Turns.Count);
        Assert.Equal(["The bus in the image is white and red.", "On the sofa."], record.Captions);
    }

    [Fact]
    public void LlavaEntryWithoutConversationsNamesTheEntry()
    {
        string path = folder.WriteText("noconv.json",
            """[{"id": "ok", "image": "a.jpg", "conversations": [{"from": "human", "value": "<image>x"}, {"from": "gpt", "value": "y"}]},""" +
            "\n" + """ {"id": "broken-entry", "image": "b.jpg"}]""");
        var ex = Assert.Throws<CaptionFileException>(() => CaptionFile.Read(path, Images));
        Assert.Contains("entry 1 (id 'broken-entry') has no 'conversations'", ex.Message);
        Assert.Contains(path, ex.Message);
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void LlavaTurnsThatDoNotAlternateAreAnError()
    {
        string path = folder.WriteText("order.json",
            """[{"id": "e", "image": "a.jpg", "conversations": [{"from": "gpt", "value": "y"}]}]""");
        var ex = Assert.Throws<CaptionFileException>(() => CaptionFile.Read(path, Images));
        Assert.Contains("entry 0 (id 'e'), conversations[0]", ex.Message);
    }

    [Fact]
    public void JsonFormatIsToldByShape()
    {
        Assert.Equal(CaptionFormat.Coco, CaptionFile.Detect(folder.WriteText("x.json", "\uFEFF  \n" + Coco)));
        Assert.Equal(CaptionFormat.Llava, CaptionFile.Detect(folder.WriteText("y.json", Llava)));
        var ex = Assert.Throws<CaptionFileException>(() => CaptionFile.Detect(folder.WriteText("z.json", "\"text\"")));
        Assert.Contains("COCO", ex.Message);
    }

    [Fact]
    public void UnknownExtensionAsksForAnExplicitFormatWhichOverridesIt()
    {
        string path = folder.WriteText("captions.txt", "filepath\tcaption\na.png\tone\n");
        var ex = Assert.Throws<CaptionFileException>(() => CaptionFile.Read(path, Images));
        Assert.Contains("'.txt'", ex.Message);
        var contents = CaptionFile.Read(path, Images, new CaptionFileOptions(Format: CaptionFormat.Tsv));
        Assert.Equal(["one"], Assert.Single(contents.Records).Captions);
    }

    [Fact]
    public void MissingCaptionFileIsNamed()
    {
        string path = folder.PathOf("absent.csv");
        var ex = Assert.Throws<FileNotFoundException>(() => CaptionFile.Read(path, Images));
        Assert.Contains(path, ex.Message);
    }
}
