using System.Text.Json;

namespace Workbench.Data.Files;

/// <summary>
/// Reads LLaVA instruction data (Liu et al. 2023, <c>llava_instruct_150k.json</c> and its kin): an array of
/// <c>{id, image, conversations: [{from: "human"|"gpt", value}]}</c>, where a human turn carries the
/// <c>&lt;image&gt;</c> marker for where the picture goes.
/// </summary>
/// <remarks>
/// Each human turn and the gpt reply after it become one <see cref="QuestionAnswer"/> (Kind "conversation"), the
/// marker removed from the question. The caption of an entry is its first gpt reply: LLaVA has no separate caption,
/// and the first reply usually answers the opening "describe the image" style question. Entries about the same image
/// are merged into one record (turns and captions in file order), so each image is one sample. Entries without an
/// image (LLaVA-1.5's text-only conversations) are left out and counted.
/// </remarks>
static class LlavaConversationReader
{
    /// <summary>The placeholder LLaVA puts in a human turn where the image's tokens go.</summary>
    public const string ImageMarker = "<image>";
    /// <summary>The Kind given to every turn.</summary>
    public const string TurnKind = "conversation";

    public static CaptionFileContents Read(string path, string imageRoot)
    {
        var grouping = new RecordGrouping(imageRoot);
        int withoutImage = 0;
        JsonEntryWalker.ForEachInArray(path, JsonEntryWalker.ReadBytes(path), (entry, index, line) =>
        {
            string what = $"entry {index}";
            JsonFields.RequireObject(entry, path, line, what);
            if (entry.TryGetProperty("id", out var idValue) && idValue.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                what += $" (id '{JsonFields.Identifier(idValue, "id", path, line, what)}')";

            if (!entry.TryGetProperty("conversations", out var conversations) || conversations.ValueKind == JsonValueKind.Null)
                throw new CaptionFileException(path, line, $"{what} has no 'conversations'");
            if (conversations.ValueKind != JsonValueKind.Array)
                throw new CaptionFileException(path, line, $"{what}: 'conversations' must be an array, found {conversations.ValueKind}");

            if (!entry.TryGetProperty("image", out var imageValue) || imageValue.ValueKind == JsonValueKind.Null)
            {
                withoutImage++;
                return;
            }
            if (imageValue.ValueKind == JsonValueKind.Array)
                throw new CaptionFileException(path, line, $"{what} has several images; only single-image entries are supported");
            string image = JsonFields.String(imageValue, "image", path, line, what).Trim();
            if (image.Length == 0) throw new CaptionFileException(path, line, $"{what} has an empty 'image'");

            var turns = Turns(conversations, path, line, what);
            grouping.Add(image, line, [turns[0].Answer], turns);
        });
        return new CaptionFileContents(path, CaptionFormat.Llava, grouping.Records(), withoutImage, 0);
    }

    static List<QuestionAnswer> Turns(JsonElement conversations, string path, int line, string what)
    {
        var turns = new List<QuestionAnswer>();
        string? question = null;
        int i = 0;
        foreach (var turn in conversations.EnumerateArray())
        {
            string where = $"{what}, conversations[{i++}]";
            JsonFields.RequireObject(turn, path, line, where);
            string from = JsonFields.RequiredString(turn, "from", path, line, where);
            string value = JsonFields.RequiredString(turn, "value", path, line, where);
            switch (from)
            {
                case "human" when question is null:
                    question = value.Replace(ImageMarker, "").Trim();
                    break;
                case "gpt" when question is not null:
                    turns.Add(new QuestionAnswer(question, value.Trim(), TurnKind));
                    question = null;
                    break;
                case "human":
                    throw new CaptionFileException(path, line, $"{where}: two human turns in a row; turns must alternate human, gpt");
                case "gpt":
                    throw new CaptionFileException(path, line, $"{where}: a gpt turn without a human turn before it; turns must alternate human, gpt");
                default:
                    throw new CaptionFileException(path, line, $"{where}: 'from' is '{from}', expected 'human' or 'gpt'");
            }
        }
        if (question is not null) throw new CaptionFileException(path, line, $"{what}: the last human turn has no gpt reply");
        if (turns.Count == 0) throw new CaptionFileException(path, line, $"{what} has an empty 'conversations'");
        return turns;
    }
}
