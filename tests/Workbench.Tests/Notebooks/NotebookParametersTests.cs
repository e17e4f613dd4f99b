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

    [Fact]
    public void InjectedCellGoesRightAfterTheParametersCellTaggedAsInjected()
    {
        using var temp = new TempFolder();
        string path = new NotebookBuilder().Markdown("# title").Code("#r \"x.dll\"").Code(Cell, "parameters").Code("Console.WriteLine(steps);")
            .Save(temp["n.ipynb"]);
        var document = NotebookFile.Load(path);

        Assert.Null(NotebookParameters.Injection(path, document, new Dictionary<string, string>()));
        var (index, cell) = NotebookParameters.Injection(path, document, new Dictionary<string, string> { ["steps"] = "7" })!.Value;

        Assert.Equal(3, index); // after markdown, the reference cell and the parameters cell
        Assert.Contains("steps = 7;", cell.Contents);
        Assert.Equal([NotebookParameters.InjectedTag], NotebookFile.Tags(cell));
    }

    [Fact]
    public void OverridesForANotebookWithoutAParametersCellNameTheNotebook()
    {
        using var temp = new TempFolder();
        string path = new NotebookBuilder().Code("int steps = 3;").Save(temp["plain.ipynb"]);
        var e = Assert.Throws<ArgumentException>(() =>
            NotebookParameters.Injection(path, NotebookFile.Load(path), new Dictionary<string, string> { ["steps"] = "7" }));
        Assert.Contains(path, e.Message);
        Assert.Contains("no cell is tagged 'parameters'", e.Message);
    }
}
