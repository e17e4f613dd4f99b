using System.Text.Json;
using Workbench.Training.Llava;
using Workbench.Training.Runs;

namespace Workbench.Tests.Training.Llava;

public sealed class LlavaRunConfigJsonTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AConfigurationRoundTripsThroughRunJsonAndNamesItsPrerequisiteFolder(int stage)
    {
        var config = LlavaRunConfig.For("shapes", Presets.Smoke, stage);

        // run.json and the prerequisite cache's key both serialise the record; the derived StageOne is not part of it.
        string json = JsonSerializer.Serialize(config, RunFolder.Json);
        var read = JsonSerializer.Deserialize<LlavaRunConfig>(json, RunFolder.Json)!;

        Assert.DoesNotContain("\"StageOne\"", json);
        Assert.Equal(json, JsonSerializer.Serialize(read, RunFolder.Json));
        Assert.Equal(config.StageOne, read.StageOne);
        Assert.Equal(PrerequisiteRuns.FolderFor(config), PrerequisiteRuns.FolderFor(read));
    }

    [Fact]
    public void AskingTheQuestionFirstIsAStageTwoSettingThatOlderConfigurationsLackAndStageOneIgnores()
    {
        var config = LlavaRunConfig.For("shapes", Presets.Quick);
        var questionFirst = config with { QuestionFirst = true, Language = config.Language with { QuestionFirst = true } };
        // Off, it is left out of run.json, so the runs and prerequisites cached before it keep their folders.
        Assert.DoesNotContain("QuestionFirst", JsonSerializer.Serialize(config, RunFolder.Json));
        Assert.Contains("\"QuestionFirst\": true", JsonSerializer.Serialize(questionFirst with { Language = config.Language }, RunFolder.Json));
        Assert.NotEqual(PrerequisiteRuns.FolderFor(config), PrerequisiteRuns.FolderFor(questionFirst));
        // Stage 1 asks for captions, not questions: the two stage-2 variants over one language model share its projector.
        Assert.Equal(PrerequisiteRuns.FolderFor(config.StageOne),
            PrerequisiteRuns.FolderFor((questionFirst with { Language = config.Language }).StageOne));
    }
}
