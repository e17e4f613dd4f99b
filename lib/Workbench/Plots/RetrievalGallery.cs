using System.Net;
using System.Text;
using Workbench.Data;

namespace Workbench.Plots;

/// <summary>
/// Text-to-image retrieval made visible: each query caption followed by the images a model ranks highest, a green
/// frame marking a correct one (its own caption is the query).
/// </summary>
/// <param name="Queries">The query captions.</param>
/// <param name="Results">Per query, the retrieved samples in rank order.</param>
public sealed record RetrievalGallery(IReadOnlyList<string> Queries, IReadOnlyList<IReadOnlyList<Sample>> Results)
{
    /// <summary>The gallery as an HTML table.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder("<table class=\"workbench-retrieval\" style=\"border-collapse:collapse\">");
        for (int q = 0; q < Queries.Count; q++)
        {
            html.Append("<tr><td style=\"padding:4px 8px;max-width:220px;font-size:12px\">").Append(WebUtility.HtmlEncode(Queries[q])).Append("</td>");
            foreach (var sample in Results[q])
            {
                bool hit = sample.Captions.Contains(Queries[q]);
                using var image = sample.Image.ToImage();
                html.Append("<td style=\"padding:3px\"><div style=\"border:3px solid ").Append(hit ? "#2a2" : "transparent").Append("\">")
                    .Append(ImageHtml.Tag(image, 72, sample.Captions[0])).Append("</div></td>");
            }
            html.Append("</tr>");
        }
        return html.Append("</table>").ToString();
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(Environment.NewLine,
        Queries.Select((q, i) => $"{q}: {string.Join(" | ", Results[i].Select(s => s.Captions[0]))}"));
}
