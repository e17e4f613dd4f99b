using Workbench.Data;

namespace Workbench.Tests.Data;

public sealed class PromptTemplatesTests
{
    [Theory]
    [InlineData("a photo of a {}.", "ankle boot", "a photo of an ankle boot.")]
    [InlineData("a photo of a {}.", "sneaker", "a photo of a sneaker.")]
    [InlineData("an image of a {}.", "ankle boot", "an image of an ankle boot.")]
    [InlineData("a photo of an {}.", "bag", "a photo of a bag.")]
    [InlineData("A {} on a table.", "orange bag", "An orange bag on a table.")]
    [InlineData("a photo of the {}.", "ankle boot", "a photo of the ankle boot.")]
    [InlineData("a photo of a small {}.", "ankle boot", "a photo of a small ankle boot.")]
    [InlineData("a photo of a {}.", "unicorn", "a photo of a unicorn.")]
    [InlineData("a {}", "hour glass", "an hour glass")]
    public void ArticleAgreesWithTheClassName(string template, string className, string expected) =>
        Assert.Equal(expected, PromptTemplates.Apply(template, className));

    [Fact]
    public void ForClassAppliesEveryTemplateCanonicalFirst()
    {
        var captions = PromptTemplates.ForClass("ankle boot");
        Assert.Equal(PromptTemplates.Default.Count, captions.Count);
        Assert.Equal("a photo of an ankle boot.", captions[0]);
        Assert.All(captions, c => Assert.Contains("ankle boot", c));
        Assert.All(captions, c => Assert.DoesNotContain(" a ankle", c));
        Assert.Equal(captions.Count, captions.Distinct().Count());
        Assert.True(PromptTemplates.Default.Count >= 8);
        Assert.Contains("a black and white photo of a {}.", PromptTemplates.Default);
    }

    [Theory]
    [InlineData("a photo.")]
    [InlineData("a {} and a {}.")]
    public void TemplateNeedsExactlyOnePlaceholder(string template) =>
        Assert.Throws<ArgumentException>(() => PromptTemplates.Apply(template, "bag"));
}
