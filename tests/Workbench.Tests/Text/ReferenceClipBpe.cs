using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Workbench.Tests.Text;

/// <summary>
/// A second, deliberately plain implementation of CLIP's tokenizer for the tests: a line-by-line port of
/// <c>SimpleTokenizer.bpe</c> and <c>encode</c> from openai/CLIP's <c>clip/simple_tokenizer.py</c>
/// (slow: no caching, quadratic merging). It shares nothing with the library but the data files.
/// </summary>
internal sealed class ReferenceClipBpe
{
    readonly Dictionary<string, int> encoder;
    readonly Dictionary<(string, string), int> ranks = new();
    readonly string[] byteEncoder = new string[256];
    static readonly Regex Pattern = new(
        @"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase);

    public ReferenceClipBpe(string folder)
    {
        encoder = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(folder, "vocab.json")))!;
        var lines = File.ReadAllLines(Path.Combine(folder, "merges.txt"));
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var parts = lines[i].Split(' ');
            ranks[(parts[0], parts[1])] = i - 1;
        }
        // bytes_to_unicode: printable ranges map to themselves, the rest to 256, 257, ... in byte order.
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 0xAC - 0xA1 + 1)).Concat(Enumerable.Range(0xAE, 0xFF - 0xAE + 1)).ToHashSet();
        int n = 0;
        for (int b = 0; b < 256; b++) byteEncoder[b] = printable.Contains(b) ? ((char)b).ToString() : ((char)(256 + n++)).ToString();
    }

    public int Id(string token) => encoder[token];

    public List<int> Encode(string text)
    {
        text = WebUtility.HtmlDecode(WebUtility.HtmlDecode(text));
        text = Regex.Replace(text, @"\s+", " ").Trim().ToLowerInvariant();
        var ids = new List<int>();
        foreach (Match m in Pattern.Matches(text))
        {
            if (m.Value is "<|startoftext|>" or "<|endoftext|>") { ids.Add(encoder[m.Value]); continue; }
            string token = string.Concat(Encoding.UTF8.GetBytes(m.Value).Select(b => byteEncoder[b]));
            ids.AddRange(Bpe(token).Select(piece => encoder[piece]));
        }
        return ids;
    }

    // word = tuple(token[:-1]) + (token[-1] + '</w>',); repeatedly merge every occurrence of the lowest-ranked pair.
    List<string> Bpe(string token)
    {
        var word = token[..^1].Select(c => c.ToString()).Append(token[^1] + "</w>").ToList();
        while (word.Count > 1)
        {
            (string, string)? best = null;
            int bestRank = int.MaxValue;
            for (int i = 0; i + 1 < word.Count; i++)
                if (ranks.TryGetValue((word[i], word[i + 1]), out int rank) && rank < bestRank) (best, bestRank) = ((word[i], word[i + 1]), rank);
            if (best is null) break;
            var (first, second) = best.Value;
            var merged = new List<string>();
            for (int i = 0; i < word.Count;)
            {
                if (i + 1 < word.Count && word[i] == first && word[i + 1] == second) { merged.Add(first + second); i += 2; }
                else merged.Add(word[i++]);
            }
            word = merged;
        }
        return word;
    }
}
