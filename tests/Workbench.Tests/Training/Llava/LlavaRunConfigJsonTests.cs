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
}
