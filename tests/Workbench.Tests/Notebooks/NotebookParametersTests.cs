using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

public sealed class NotebookParametersTests
{
    const string Cell = """
        // parameters
        string preset = "quick";
        int steps = 200;
        var lr = 3e-4;
        bool plot = true;
        """;

    [Fact]
    public void DeclarationsAreParsedWithTheirTypes()
    {
        var declared = NotebookParameters.Parse(Cell);
        Assert.Equal(
            [new("preset", "string", "\"quick\""), new("steps", "int", "200"), new("lr", "double", "3e-4"), new("plot", "bool", "true")],
            declared);
    }

    [Fact]
    public void InjectionAssignsTypedLiterals()
    {
        var code = NotebookParameters.BuildInjection("n.ipynb", NotebookParameters.Parse(Cell),
            new Dictionary<string, string> { ["preset"] = "full \"big\"", ["steps"] = "7", ["lr"] = "0.01", ["plot"] = "False" });
        Assert.Contains("preset = \"full \\\"big\\\"\";", code);
        Assert.Contains("steps = 7;", code);
        Assert.Contains("lr = 0.01d;", code);
        Assert.Contains("plot = false;", code);
    }

    [Fact]
    public void UnknownParameterNamesTheNotebookAndWhatItDeclares()
    {
        var e = Assert.Throws<ArgumentException>(() => NotebookParameters.BuildInjection("n.ipynb", NotebookParameters.Parse(Cell),
            new Dictionary<string, string> { ["stpes"] = "7" }));
        Assert.Contains("n.ipynb", e.Message);
        Assert.Contains("stpes", e.Message);
        Assert.Contains("int steps", e.Message);
    }

    [Fact]
    public void IllTypedValueIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => NotebookParameters.BuildInjection("n.ipynb", NotebookParameters.Parse(Cell),
            new Dictionary<string, string> { ["steps"] = "many" }));
        Assert.Contains("'many' is not a valid int", e.Message);
    }
}
