using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Workbench.Runtime;

namespace Workbench.Models.Clip;

/// <summary>The outputs of <see cref="ClipModel.Encode"/>, ready for a contrastive loss.</summary>
/// <param name="Images">L2-normalised image embeddings (B, D).</param>
/// <param name="Texts">L2-normalised text embeddings (B, D).</param>
/// <param name="Scale">The similarity multiplier exp(logit_scale), a scalar.</param>
/// <param name="Bias">The learned logit bias (sigmoid loss only), else null.</param>
public sealed record ClipEmbeddings(Tensor Images, Tensor Texts, Tensor Scale, Tensor? Bias);

/// <summary>
/// CLIP (Radford et al. 2021, "Learning Transferable Visual Models From Natural Language Supervision"):
/// an image encoder and a text encoder, each followed by a bias-free linear projection into a shared space of width
/// <see cref="ClipConfig.EmbedDim"/>, where matching images and captions are trained to lie close together.
/// </summary>
public sealed class ClipModel : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>CLIP's initial temperature: logits = similarity / 0.07.</summary>
    public static readonly double InitialLogitScale = Math.Log(1 / 0.07);

    /// <summary>The largest logit scale, ln 100: CLIP clips the multiplier at 100 to keep training stable.</summary>
    public static readonly double MaxLogitScale = Math.Log(100);

    /// <summary>SigLIP's initial temperature t′ = ln 10.</summary>
    public static readonly double InitialSigmoidLogitScale = Math.Log(10);

    /// <summary>SigLIP's initial bias b = −10.</summary>
    public const double InitialSigmoidLogitBias = -10;

    readonly ImageEncoder visual;
    readonly TextTransformer text;
    readonly Linear image_projection;
    readonly Linear text_projection;
    // Parameter fields are not readonly: TorchSharp swaps in new Parameter objects when the module changes device.
    Parameter logit_scale;
    Parameter? logit_bias;

    /// <summary>The configuration this model was built from.</summary>
    public ClipConfig Config { get; }

    /// <summary>The learnable log temperature; logits are multiplied by its exponential.</summary>
    public Parameter LogitScale => logit_scale;

    /// <summary>The learnable logit bias of the sigmoid loss; null for InfoNCE.</summary>
    public Parameter? LogitBias => logit_bias;

    /// <summary>Builds the model with fresh weights from torch's global generator (seed it for reproducible runs).</summary>
    public ClipModel(ClipConfig config) : base(nameof(ClipModel))
    {
        if (config.EmbedDim <= 0) throw new ArgumentException($"ClipModel: EmbedDim {config.EmbedDim} must be positive.");
        Config = config;
        visual = ImageEncoders.Build(config);
        text = new TextTransformer(config.Text);
        image_projection = nn.Linear(visual.OutputWidth, config.EmbedDim, hasBias: false);
        text_projection = nn.Linear(text.OutputWidth, config.EmbedDim, hasBias: false);
        bool sigmoid = config.Loss == ContrastiveLossKind.Sigmoid;
        logit_scale = nn.Parameter(tensor((float)(sigmoid ? InitialSigmoidLogitScale : InitialLogitScale)));
        logit_bias = sigmoid ? nn.Parameter(tensor((float)InitialSigmoidLogitBias)) : null;
        RegisterComponents();
    }

    /// <summary>The image encoder.</summary>
    public ImageEncoder ImageEncoder => visual;

    /// <summary>The text encoder.</summary>
    public TextTransformer TextEncoder => text;

    /// <summary>Embeds images (B, C, H, W) as unit vectors (B, D).</summary>
    public Tensor EncodeImages(Tensor images)
    {
        using var projected = ImageFeatures(images);
        return nn.functional.normalize(projected, dim: -1);
    }

    /// <summary>The projected image features (B, D) before normalisation: what OpenAI CLIP's <c>encode_image</c> returns.</summary>
    public Tensor ImageFeatures(Tensor images)
    {
        using var features = visual.forward(images);
        return MixedPrecision.Linear(image_projection, features);
    }

    /// <summary>The projected text features (B, D) before normalisation: what OpenAI CLIP's <c>encode_text</c> returns.</summary>
    public Tensor TextFeatures(Tensor tokens)
    {
        using var features = text.forward(tokens);
        return MixedPrecision.Linear(text_projection, features);
    }

    /// <summary>
    /// Embeds token ids (B, T) as unit vectors (B, D). Identical rows are encoded once and copied (class captions
    /// repeat many times in a batch); the result, and its gradients, are the same as encoding every row.
    /// </summary>
    public Tensor EncodeTexts(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        // Deduplicating reads the ids: free on the CPU, where repeated class captions are worth encoding once; on an
        // accelerator the read would stall the step, so rows are encoded as given.
        var (unique, inverse) = tokens.device_type == DeviceType.CPU ? DistinctRows(tokens) : (null, null);
        var rows = unique is null ? tokens : tokens.index_select(0, unique);
        var features = text.forward(rows);
        var projected = nn.functional.normalize(MixedPrecision.Linear(text_projection, features), dim: -1);
        return (inverse is null ? projected : projected.index_select(0, inverse)).MoveToOuterDisposeScope();
    }

    /// <summary>The first index of each distinct row and, per row, its position among them; nulls when all rows differ.</summary>
    static (Tensor? Unique, Tensor? Inverse) DistinctRows(Tensor tokens)
    {
        long rows = tokens.shape[0], length = tokens.shape[1];
        var ids = tokens.cpu().data<long>().ToArray();
        var first = new Dictionary<string, long>();
        var unique = new List<long>();
        var inverse = new long[rows];
        for (long r = 0; r < rows; r++)
        {
            string key = string.Join(",", ids.AsSpan((int)(r * length), (int)length).ToArray());
            if (!first.TryGetValue(key, out long position))
            {
                position = unique.Count;
                first[key] = position;
                unique.Add(r);
            }
            inverse[r] = position;
        }
        if (unique.Count == rows) return (null, null);
        return (tensor(unique.ToArray(), device: tokens.device), tensor(inverse, device: tokens.device));
    }

    /// <summary>Embeds a batch of images and a batch of texts, with the current scale (and bias).</summary>
    public ClipEmbeddings Encode(Tensor images, Tensor tokens) =>
        new(EncodeImages(images), EncodeTexts(tokens), logit_scale.exp(), logit_bias?.alias());

    /// <summary>
    /// The logits of every image against every text, (B_images, B_texts): <c>exp(logit_scale) · images · textsᵀ</c>,
    /// plus the bias when the model has one. Transpose for texts against images.
    /// </summary>
    public override Tensor forward(Tensor images, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var e = Encode(images, tokens);
        var logits = e.Scale * e.Images.matmul(e.Texts.t());
        if (e.Bias is not null) logits = logits.Plus(e.Bias);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The training loss for a batch of pairs under <see cref="ClipConfig.Loss"/>.
    /// </summary>
    /// <param name="images">Images (B, C, H, W); image i belongs with text i.</param>
    /// <param name="tokens">Token ids (B, T).</param>
    /// <param name="groups">Optional group id per pair (B): pairs sharing a group count as positives.</param>
    /// <param name="negatives">Optional token ids (N, T) of captions that describe none of the images (hard negatives).</param>
    public Tensor Loss(Tensor images, Tensor tokens, Tensor? groups = null, Tensor? negatives = null)
    {
        using var scope = NewDisposeScope();
        // The negatives go through the text encoder with the captions, in one call.
        var e = Encode(images, negatives is null ? tokens : cat([tokens, negatives], 0));
        long batch = tokens.shape[0];
        var texts = negatives is null ? e.Texts : e.Texts.narrow(0, 0, batch);
        var negativeTexts = negatives is null ? null : e.Texts.narrow(0, batch, negatives.shape[0]);
        var loss = logit_bias is null
            ? ContrastiveLoss.InfoNce(e.Images, texts, e.Scale, groups, negativeTexts)
            : ContrastiveLoss.Sigmoid(e.Images, texts, e.Scale, e.Bias!, groups, negativeTexts);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Clips the logit scale at ln 100 (CLIP §2.5). Call after every optimizer step: the clip is applied to the
    /// parameter itself, so the optimizer cannot push the temperature past it.
    /// </summary>
    public void ClampLogitScale()
    {
        using var noGrad = no_grad();
        logit_scale.clamp_(max: MaxLogitScale);
    }
}
