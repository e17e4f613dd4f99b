using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Workbench.Tests.Notebooks;

/// <summary>00-welcome's chart, in the executed notebook and in a browser, from the suite's run of it.</summary>
public sealed class WelcomeChartTests
{
    readonly NotebookRun run = NotebookRuns.InProcess("00-welcome.ipynb");

    [Fact]
    public void ChartCellHoldsPlotlyHtml()
    {
        Assert.True(run.Result.ExitCode == 0, run.Result.All);
        var cells = JsonNode.Parse(File.ReadAllText(run.Executed))!["cells"]!.AsArray();
        var chartCell = cells.Single(c => (string?)c!["cell_type"] == "code" && c["source"]!.ToJsonString().Contains("Plot.Bar"))!;
        string html = string.Concat(chartCell["outputs"]!.AsArray()
            .Select(o => o!["data"]?["text/html"] is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)o!["data"]?["text/html"]));
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("\"type\":\"bar\"", html);
        Assert.Contains("τ = 0.07", html);
        Assert.DoesNotContain("cdn.", html);
    }

    [SkippableFact]
    public async Task HtmlPageRendersTheChartOffline()
    {
        Assert.True(run.Result.ExitCode == 0, run.Result.All);
        const string chromium = "/usr/bin/chromium";
        Skip.IfNot(File.Exists(chromium), "Debian's chromium is not installed (./workbench setup --test installs it)");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run"],
        });
        var context = await browser.NewContextAsync();
        var network = new List<string>();
        await context.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith("file:")) await route.ContinueAsync();
            else { network.Add(route.Request.Url); await route.AbortAsync(); }
        });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(new Uri(run.Page).AbsoluteUri);
        await page.WaitForSelectorAsync(".workbench-chart svg.main-svg", new() { Timeout = 30_000 });

        Assert.True(await page.Locator(".workbench-chart svg.main-svg").CountAsync() >= 1);
        Assert.True(await page.Locator(".workbench-chart .bars path").CountAsync() >= 15, "three series of five bars");
        Assert.Empty(network);
        Assert.Empty(errors);
    }
}
