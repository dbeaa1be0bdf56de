using CrossVit.Imaging;
using CrossVit.Runtime.Classification;
using CrossVit.Runtime.Model;
using Xunit;

namespace CrossVit.Tests.Model;

public class ImageClassificationTests
{
    [Fact]
    public void ABatchGivesEachImageTheAnswerItGetsAlone()
    {
        var config = TestData.Config("mini_dagger");
        using var model = CrossVitModel.Load(config, TestData.Golden("mini_dagger", "weights.safetensors"));
        string[] files = ["chelsea.png", "hubble_deep_field.jpg", "astronaut_progressive.jpg"];
        int slot = ImageClassification.SlotSize(config);
        var batch = new float[files.Length * slot];
        for (int i = 0; i < files.Length; i++)
            ImageClassification.Preprocess(config, ImageDecoder.Load(TestData.Golden("images", files[i])), batch.AsSpan(i * slot, slot));

        var together = ImageClassification.Classify(model, batch, files.Length, 3);
        for (int i = 0; i < files.Length; i++)
        {
            var expected = Classification.Top(model.Run(batch.AsSpan(i * slot, slot), 1, 96, 96), 3);
            Assert.Equal(expected.Select(p => p.Index), together[i].Select(p => p.Index));
            foreach (var (a, b) in expected.Zip(together[i])) Assert.Equal(a.Probability, b.Probability, 1e-6);
        }
    }

    [Fact]
    public void AOneChannelModelClassifiesTheImageInGrayscale()
    {
        var config = TestData.Config("mini_dagger") with { InChannels = 1, Mean = [0.5], Std = [0.25] };
        using var model = RandomWeights.Load(config, seed: 3);
        var image = ImageDecoder.Load(TestData.Golden("images", "chelsea.png"));
        int size = config.ImgSize[0];
        var slot = new float[ImageClassification.SlotSize(config)];
        ImageClassification.Preprocess(config, image, slot);
        Assert.Equal(Preprocess.TimmEval(image, size, config.CropPct, new Normalization([0.5f], [0.25f])), slot);

        var top = ImageClassification.Classify(model, slot, 1, 3)[0];
        Assert.Equal(Classification.Top(model.Run(slot, 1, size, size), 3).Select(p => p.Index), top.Select(p => p.Index));
    }

    [Fact]
    public void OneValueOfMeanOrStdStandsForEveryChannel()
    {
        var config = TestData.Config("mini_dagger") with { Mean = [0.5], Std = [0.25, 0.5, 1] };
        var normalization = ImageClassification.Normalization(config);
        Assert.Equal([0.5f, 0.5f, 0.5f], normalization.Mean);
        Assert.Equal([0.25f, 0.5f, 1f], normalization.Std);
        Assert.Equal(Normalization.ImageNet, ImageClassification.Normalization(TestData.Config("mini_dagger")));
    }

    [Theory]
    [InlineData(0, 3, null, "no classifier head")]
    [InlineData(10, 4, null, "takes 4 input channels; images give three (RGB) or one (grayscale)")]
    [InlineData(10, 2, new[] { 0.5 }, "takes 2 input channels")]
    [InlineData(10, 1, null, "gives no mean and std")]
    [InlineData(10, 3, new[] { 0.5, 0.5 }, "mean has 2 values; the model takes 3 channel(s)")]
    public void ModelsWhoseImagesCannotBeMadeAreRefusedSayingWhy(int classes, int channels, double[]? mean, string expected)
    {
        var config = TestData.Config("mini_dagger") with { NumClasses = classes, InChannels = channels, Mean = mean, Std = mean };
        var e = Assert.Throws<ArgumentException>(() => ImageClassification.CheckModel(config));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
