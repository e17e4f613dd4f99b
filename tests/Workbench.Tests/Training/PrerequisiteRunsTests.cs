using System.Collections.Concurrent;
using Workbench.Training.Language;
using Workbench.Training.Runs;

namespace Workbench.Tests.Training;

[Collection(GlobalRandomState.Name)]
public sealed class PrerequisiteRunsTests
{
    [Fact]
    public async Task AProcessThatNeedsARunAnotherIsTrainingWaitsForItInsteadOfTrainingItToo()
    {
        using var cache = new TempFolder();
        var run = LanguageModelRun.Create(LanguageModelRunConfig.For("shapes", Presets.Smoke));
        string folder = PrerequisiteRuns.FolderFor(run.Config, cache.Path);
        var messages = new ConcurrentQueue<string>();
        Task<string> waiting;
        using (new FileStream(folder + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))   // "another process" trains
        {
            waiting = Task.Run(() => PrerequisiteRuns.Ensure(run, log: messages.Enqueue, root: cache.Path));
            await Task.Delay(1500);
            Assert.False(waiting.IsCompleted, "it did not wait for the lock");
            Assert.Contains(messages, m => m.Contains("waiting for another process"));
            Assert.False(Directory.Exists(folder), "it trained while another process held the run");
        }
        Assert.Equal(folder, await waiting);
        Assert.True(new RunFolder(folder).IsComplete);
        Assert.Equal(folder, PrerequisiteRuns.Ensure(run, log: messages.Enqueue, root: cache.Path));
        Assert.Contains(messages, m => m.Contains("using the trained run"));
    }
}
