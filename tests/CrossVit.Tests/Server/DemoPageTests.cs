using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace CrossVit.Tests.Server;

/// <summary>
/// A fact that needs Debian's Chromium (<c>apt-get install chromium</c>; .ci/run installs it): it skips itself, saying
/// so, only when <see cref="Path"/> is absent. Playwright drives that browser; it downloads none.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Path = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Path)) Skip = $"{Path} is absent: install Debian's chromium package (apt-get install -y chromium) to run the browser test.";
    }
}

/// <summary>The demo page at <c>/</c> in a real browser, against a server process serving the mini_linear golden model.</summary>
public sealed class DemoPageTests
{
    /// <summary>Where the test leaves its screenshot of the page with results (docs/demo-page.png is a copy).</summary>
    public static readonly string Screenshot = System.IO.Path.Combine(AppContext.BaseDirectory, "demo-page.png");

    [ChromiumFact]
    public async Task AnUploadedImageShowsTheLabelsAndProbabilitiesTheApiAnswers()
    {
        string image = TestData.Golden("images", "chelsea.png");
        using var server = new ServerProcess();
        using var api = await server.Client.PostAsync(new Uri("/v1/classify?top=5", UriKind.Relative), new ByteArrayContent(File.ReadAllBytes(image)));
        api.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await api.Content.ReadAsStringAsync());
        var expected = json.RootElement.GetProperty("top").EnumerateArray()
            .Select(t => (Label: t.GetProperty("label").GetString()!, Probability: t.GetProperty("probability").GetDouble())).ToArray();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumFactAttribute.Path, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1000, Height = 720 } });
        await page.GotoAsync(server.Client.BaseAddress!.ToString());
        await Assertions.Expect(page.Locator("#model")).ToContainTextAsync("parameters");
        await page.Locator("#file").SetInputFilesAsync(image);
        await page.Locator("body[data-state=done]").WaitForAsync();

        Assert.False(await page.Locator("#error").IsVisibleAsync(), await page.Locator("#error").InnerTextAsync());
        Assert.Equal(expected.Select(e => e.Label), await page.Locator("#results .label").AllInnerTextsAsync());
        var shown = (await page.Locator("#results .probability").AllInnerTextsAsync())
            .Select(text => double.Parse(text.TrimEnd('%'), CultureInfo.InvariantCulture) / 100).ToArray();
        Assert.Equal(expected.Length, shown.Length);
        for (int i = 0; i < shown.Length; i++) Assert.Equal(expected[i].Probability, shown[i], 0.0006);   // shown to 0.1 %
        var widths = await page.Locator("#results .bar span").EvaluateAllAsync<string[]>("bars => bars.map(b => b.style.width)");
        Assert.Equal(shown.Select(p => $"{p * 100:0.0}%".Replace(".0%", "%", StringComparison.Ordinal)), widths);
        Assert.True(await page.Locator("#preview").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"), "the chosen image is shown");

        await page.ScreenshotAsync(new() { Path = Screenshot, FullPage = true });
    }
}
