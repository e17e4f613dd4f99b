namespace Workbench.Text;

/// <summary>
/// The marker strings the workbench writes into text (<see cref="ConversationFormat"/>, interleaved documents, prompts),
/// which every tokenizer of its language models reads as single special ids: <see cref="WordTokenizer"/> gives them ids
/// 0-5, <see cref="Gpt2Tokenizer"/> maps them onto GPT-2's <c>&lt;|endoftext|&gt;</c> and ids after its vocabulary.
/// </summary>
public static class SpecialTokens
{
    /// <summary>Padding that fills a batch out to one length.</summary>
    public const string Pad = "<pad>";
    /// <summary>Begin of sequence.</summary>
    public const string Begin = "<bos>";
    /// <summary>End of sequence (and of an answer).</summary>
    public const string End = "<eos>";
    /// <summary>Where an image sits in text: LLaVA splices the image's tokens in there; Flamingo's image marker.</summary>
    public const string Image = "<image>";
    /// <summary>End of the text about one image (Flamingo's end of chunk), also what closes a conversation's context.</summary>
    public const string EndOfChunk = "<eoc>";
    /// <summary>A word outside a word-level vocabulary (a byte-level BPE has none: it spells any text).</summary>
    public const string Unknown = "<unk>";
}
