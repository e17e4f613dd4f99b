using TorchSharp;
using Workbench.Data;
using Workbench.Models.Language;
using Workbench.Runtime;
using Workbench.Text;
using Workbench.Training.Runs;

namespace Workbench.Training.Language;

/// <summary>
/// A language-model experiment: a GPT-style model learns the workbench's text (captions, and captions followed by
/// questions and answers), so that it can later answer questions about what image tokens describe (LLaVA, Flamingo).
/// </summary>
public sealed class LanguageModelRun : MethodRun<LanguageModelRunConfig, GptModel, MetricsReport>
{
    LanguageModelRun(LanguageModelRunConfig config, ITextTokenizer tokenizer, IImageTextDataset train, IImageTextDataset validation, IImageTextDataset test)
        : base(config, tokenizer) => (Train, Validation, Test) = (train, validation, test);

    /// <summary>Training split.</summary>
    public IImageTextDataset Train { get; }
    /// <summary>Validation split.</summary>
    public IImageTextDataset Validation { get; }
    /// <summary>Test split.</summary>
    public IImageTextDataset Test { get; }

    /// <summary>
    /// Opens the data, and builds the vocabulary from the training captions, questions and answers unless a tokenizer is
    /// given (e.g. <see cref="Gpt2Tokenizer.Create"/>; the run folder records it, but the prerequisite cache, keyed by the
    /// configuration alone, does not tell runs of different tokenizers apart).
    /// </summary>
    public static LanguageModelRun Create(LanguageModelRunConfig config, DataSourceOptions? data = null, ITextTokenizer? tokenizer = null)
    {
        data ??= new DataSourceOptions(Seed: (int)config.Trainer.Seed);
        var train = DataSources.Open(config.Data, Split.Train, data);
        return new LanguageModelRun(config, tokenizer ?? BuildVocabulary(train, config.VocabularySamples), train,
            DataSources.Open(config.Data, Split.Validation, data), DataSources.Open(config.Data, Split.Test, data));
    }

    /// <summary>Reopens a run folder: its configuration, tokenizer, data and the newest weights.</summary>
    public static (LanguageModelRun Run, GptModel Model) Load(string runDir, DataSourceOptions? data = null)
    {
        var folder = new RunFolder(runDir);
        var config = folder.ReadConfig<LanguageModelRunConfig>();
        data ??= new DataSourceOptions(Seed: (int)config.Trainer.Seed);
        var run = new LanguageModelRun(config, folder.ReadTokenizer(), DataSources.Open(config.Data, Split.Train, data),
            DataSources.Open(config.Data, Split.Validation, data), DataSources.Open(config.Data, Split.Test, data));
        return (run, run.LoadModel(runDir));
    }

    /// <summary>Every word of the first <paramref name="samples"/> training samples' captions, questions and answers, and the conversation format's words.</summary>
    public static WordTokenizer BuildVocabulary(IImageTextDataset train, int samples)
    {
        var texts = Enumerable.Range(0, Math.Min(samples, train.Count)).Select(train.Get)
            .SelectMany(s => s.Captions.Concat(s.Questions.SelectMany(q => new[] { q.Question, q.Answer })))
            .Append(ConversationFormat.VocabularyText);
        return WordTokenizer.Build(texts);
    }

    /// <summary>The model's shape for this run's vocabulary.</summary>
    public GptConfig ModelConfig => new(Tokenizer.VocabularySize, Config.ContextLength, Config.Width, Config.Layers, Config.Heads) { Positions = Config.Positions, Canon = Config.Canon };

    /// <inheritdoc />
    public override GptModel CreateModel()
    {
        var model = new GptModel(ModelConfig);
        model.to(ComputeDevice.Current);
        return model;
    }

    /// <inheritdoc />
    protected override ITrainingTask CreateTask(GptModel model) => new LanguageModelTask(this, model);

    /// <inheritdoc />
    public override MetricsReport Evaluate(GptModel model) =>
        new(LanguageModelEvaluation.Evaluate(this, model, Test, Config.TestSamples));

    /// <summary>
    /// The training sequence of row <paramref name="row"/> of micro-batch <paramref name="microStep"/> of step
    /// <paramref name="step"/>: a pure function of (seed, step, micro-batch, row), so a resumed run sees the same text. A random caption of a random sample, then either a request for another
    /// paraphrase or up to <see cref="LanguageModelRunConfig.TurnsPerSequence"/> of its questions in random order.
    /// </summary>
    public TokenSequence TrainingSequence(long step, int microStep, int row)
    {
        var random = new Random(StableHash.Combine(Config.Trainer.Seed, step, microStep, row, 0x1A4));
        var sample = Train.Get(random.Next(Train.Count));
        string caption = sample.Captions[random.Next(sample.Captions.Count)];
        if (sample.Questions.Count == 0 || random.NextDouble() < Config.CaptionRequestFraction)
            return TokenSequence.CaptionRequest(Tokenizer, caption,
                Config.CaptionRequestsRepeat ? caption : sample.Captions[random.Next(sample.Captions.Count)], Config.SuperviseEveryToken);
        var turns = sample.Questions.OrderBy(_ => random.Next()).Take(Config.TurnsPerSequence).ToList();
        string context = Config.CanonicalCaptionBeforeQuestions ? sample.Captions[0] : caption;
        return TokenSequence.FittedConversation(Tokenizer, context, turns, Config.SuperviseEveryToken, Config.ContextLength, questionFirst: Config.QuestionFirst);
    }
}
