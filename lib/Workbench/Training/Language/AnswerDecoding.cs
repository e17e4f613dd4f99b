using TorchSharp;
using Workbench.Models.Language;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Training.Language;

/// <summary>Greedy answers from a language model for batches of prompts of different lengths (left-padded).</summary>
public static class AnswerDecoding
{
    /// <summary>Left-pads prompts to one length: ids (B, T) and which positions are real (B, T).</summary>
    public static (Tensor Ids, Tensor Mask) LeftPad(IReadOnlyList<int[]> prompts, int padId, Device device)
    {
        int length = prompts.Max(p => p.Length);
        var ids = new long[prompts.Count * length];
        var mask = new bool[prompts.Count * length];
        Array.Fill(ids, padId);
        for (int r = 0; r < prompts.Count; r++)
        {
            int start = length - prompts[r].Length;
            for (int t = 0; t < prompts[r].Length; t++)
            {
                ids[r * length + start + t] = prompts[r][t];
                mask[r * length + start + t] = true;
            }
        }
        return (tensor(ids, [prompts.Count, length], device: device), tensor(mask, [prompts.Count, length], device: device));
    }

    /// <summary>The decoded greedy continuation of each prompt (B, T, W) up to the end token, at most <paramref name="maxTokens"/> tokens.</summary>
    public static IReadOnlyList<string> Greedy(GptModel model, ITextTokenizer tokenizer, Tensor promptEmbeddings, Tensor promptMask,
        int maxTokens = 4, Func<int, Tensor, Tensor>? beforeBlock = null)
    {
        var generated = TextGeneration.Generate(model, promptEmbeddings, promptMask,
            new SamplingOptions(MaxNewTokens: maxTokens, StopToken: tokenizer.EndId), beforeBlock: beforeBlock);
        return generated.Select(ids => tokenizer.Decode(ids.Select(i => (int)i))).ToList();
    }
}
