using System.Text.Json;

namespace Workbench.Data.Files;

/// <summary>
/// Reads COCO caption annotations (<c>captions_train2017.json</c> and the like): <c>images: [{id, file_name}]</c> and
/// <c>annotations: [{image_id, caption}]</c>, in either order in the file. One record per image with all its
/// captions in annotation order; images that no annotation mentions are left out and counted.
/// </summary>
static class CocoCaptionReader
{
    sealed record CocoImage(string FileName, int Line);

    public static CaptionFileContents Read(string path, string imageRoot)
    {
        var json = JsonEntryWalker.ReadBytes(path);
        var images = new List<(string Id, CocoImage Image)>();
        var imageIds = new Dictionary<string, CocoImage>();
        var captions = new Dictionary<string, List<string>>();
        var firstAnnotation = new Dictionary<string, (int Index, int Line)>();

        void OnImage(JsonElement entry, int index, int line)
        {
            string what = $"images[{index}]";
            JsonFields.RequireObject(entry, path, line, what);
            if (!entry.TryGetProperty("id", out var idValue)) throw new CaptionFileException(path, line, $"{what} has no 'id'");
            string id = JsonFields.Identifier(idValue, "id", path, line, what);
            string fileName = JsonFields.RequiredString(entry, "file_name", path, line, what).Trim();
            if (fileName.Length == 0) throw new CaptionFileException(path, line, $"{what} (id {id}) has an empty 'file_name'");
            var image = new CocoImage(fileName, line);
            if (!imageIds.TryAdd(id, image))
                throw new CaptionFileException(path, line, $"{what}: image id {id} appears twice (first at line {imageIds[id].Line})");
            images.Add((id, image));
        }

        void OnAnnotation(JsonElement entry, int index, int line)
        {
            string what = $"annotations[{index}]";
            JsonFields.RequireObject(entry, path, line, what);
            if (!entry.TryGetProperty("image_id", out var idValue)) throw new CaptionFileException(path, line, $"{what} has no 'image_id'");
            string id = JsonFields.Identifier(idValue, "image_id", path, line, what);
            string caption = JsonFields.RequiredString(entry, "caption", path, line, what);
            if (!captions.TryGetValue(id, out var list))
            {
                captions[id] = list = [];
                firstAnnotation[id] = (index, line);
            }
            list.Add(caption);
        }

        var seen = JsonEntryWalker.ForEachInObjectArrays(path, json,
            new Dictionary<string, JsonEntryWalker.EntryHandler> { ["images"] = OnImage, ["annotations"] = OnAnnotation });
        foreach (string required in new[] { "images", "annotations" })
            if (!seen.Contains(required))
                throw new CaptionFileException(path, 0, $"not COCO captions: no '{required}' array (expected {{\"images\": [{{id, file_name}}], \"annotations\": [{{image_id, caption}}]}})");

        foreach (var (id, (index, line)) in firstAnnotation)
            if (!imageIds.ContainsKey(id))
                throw new CaptionFileException(path, line, $"annotations[{index}] refers to image_id {id}, which is not in 'images'");

        var grouping = new RecordGrouping(imageRoot);
        int withoutCaptions = 0;
        foreach (var (id, image) in images)
        {
            if (captions.TryGetValue(id, out var list)) grouping.Add(image.FileName, image.Line, list);
            else withoutCaptions++;
        }
        return new CaptionFileContents(path, CaptionFormat.Coco, grouping.Records(), 0, withoutCaptions);
    }
}
