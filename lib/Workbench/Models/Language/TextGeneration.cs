using TorchSharp;
using static TorchSharp.torch;

namespace Workbench.Models.Language;

/// <summary>
/// Autoregressive decoding for a <see cref="GptModel"/>: feed the prompt, pick a token from the last position's
/// logits, append it, repeat. With a <see cref="KeyValueCache"/> each step feeds only the new token; without one it
/// re-reads the whole sequence (the same tokens, slower: a test holds them equal).
/// </summary>
public static class TextGeneration
{
    /// <summary>
    /// Continues a batch of prompts given as input embeddings (B, T, W), left-padded where their lengths differ.
    /// </summary>
    /// <param name="model">The language model (put it in eval mode).</param>
    /// <param name="prompt">Prompt embeddings (B, T, W), e.g. token embeddings with image features spliced in.</param>
    /// <param name="promptMask">Which prompt positions are real (B, T), bool; null: all. Padding must come first in a row.</param>
    /// <param name="options">Greedy or sampled decoding, length, stop token.</param>
    /// <param name="useCache">Reuse keys and values of earlier positions (default), or re-read the sequence every step.</param>
    /// <param name="beforeBlock">Passed to <see cref="GptModel.HiddenStates"/> on every forward pass (Flamingo).</param>
    /// <returns>Per row, the generated token ids, up to (not including) the stop token.</returns>
    public static IReadOnlyList<long[]> Generate(GptModel model, Tensor prompt, Tensor? promptMask, SamplingOptions options,
        bool useCache = true, Func<int, Tensor, Tensor>? beforeBlock = null)
    {
        options.Validate();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long batch = prompt.shape[0], length = prompt.shape[1];
        var device = prompt.device;
        var mask = promptMask ?? ones(batch, length, dtype: ScalarType.Bool, device: device);
        // Left padding: a row's first real token is position 0.
        var positions = (mask.to_type(ScalarType.Int64).cumsum(1) - 1).clamp_min(0);
        var generator = options.Greedy ? null : new Generator((ulong)options.Seed, device);

        using var cache = useCache ? new KeyValueCache(model.Blocks.Count) : null;
        var sequence = prompt;            // everything fed so far (no cache) or the new input (cache)
        var sequencePositions = positions;
        var sequenceMask = mask;
        var output = new List<long>[batch];
        for (int r = 0; r < batch; r++) output[r] = [];
        var finished = new bool[batch];
        var next = positions[.., ^1] + 1;   // (B)

        for (int step = 0; step < options.MaxNewTokens; step++)
        {
            using var stepScope = NewDisposeScope();
            var input = useCache && step > 0 ? sequence[.., ^1..] : sequence;
            var inputPositions = useCache && step > 0 ? sequencePositions[.., ^1..] : sequencePositions;
            var logits = model.LastLogits(input, inputPositions, sequenceMask, cache, beforeBlock);   // (B, V)
            var token = Pick(logits, options, generator);                                                   // (B)
            var ids = token.cpu().data<long>().ToArray();
            for (int r = 0; r < batch; r++)
            {
                if (finished[r]) continue;
                if (options.StopToken is int stop && ids[r] == stop) finished[r] = true;
                else output[r].Add(ids[r]);
            }
            if (finished.All(f => f)) break;

            var embedded = model.Embed(token.unsqueeze(1));
            sequence = cat([sequence, embedded], 1).MoveToOuterDisposeScope();
            sequencePositions = cat([sequencePositions, next.unsqueeze(1)], 1).MoveToOuterDisposeScope();
            sequenceMask = cat([sequenceMask, ones(batch, 1, dtype: ScalarType.Bool, device: device)], 1).MoveToOuterDisposeScope();
            next = (next + 1).MoveToOuterDisposeScope();
        }
        generator?.Dispose();
        return output.Select(o => o.ToArray()).ToList();
    }

    /// <summary>The next token of each row (B) from its logits (B, V).</summary>
    static Tensor Pick(Tensor logits, SamplingOptions options, Generator? generator)
    {
        if (options.Greedy) return logits.argmax(-1);
        var scaled = logits / options.Temperature;
        if (options.TopK is int k && k < scaled.shape[^1])
        {
            var kth = scaled.topk(k, -1).values[.., ^1..];
            scaled = scaled.masked_fill(scaled.lt(kth), double.NegativeInfinity);
        }
        return multinomial(nn.functional.softmax(scaled, -1), 1, generator: generator).squeeze(1);
    }
}
