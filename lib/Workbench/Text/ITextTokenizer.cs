namespace Workbench.Text;

/// <summary>
/// Turns text into token ids and back. The models see only ids: a tokenizer is saved with every model that uses it,
/// because the same id must mean the same piece of text at training and at inference.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>Number of ids: every id is in [0, VocabularySize), the size of the model's embedding table.</summary>
    int VocabularySize { get; }

    /// <summary>The id that fills batches up to a fixed length (attention and losses must ignore it).</summary>
    int PadId { get; }

    /// <summary>The id that starts a sequence.</summary>
    int BeginId { get; }

    /// <summary>The id that ends a sequence.</summary>
    int EndId { get; }

    /// <summary>The id that marks where an image sits in interleaved text (Flamingo's <c>&lt;image&gt;</c>), or null if the tokenizer has none.</summary>
    int? ImageId { get; }

    /// <summary>The id that ends the text about one image (Flamingo's end-of-chunk, <c>&lt;eoc&gt;</c>), or null if the tokenizer has none.</summary>
    int? EndOfChunkId { get; }

    /// <summary>The ids of a text, without begin or end tokens (special tokens written in the text map to their ids).</summary>
    int[] Encode(string text);

    /// <summary>The text of a sequence of ids (special tokens are written out as text).</summary>
    string Decode(IEnumerable<int> ids);
}
