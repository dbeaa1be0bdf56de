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
    public void ModelsThatDoNotClassifyRgbImagesAreRefusedSayingWhy()
    {
        var config = TestData.Config("mini_dagger");
        Assert.Contains("no classifier head", Assert.Throws<ArgumentException>(() => ImageClassification.CheckModel(config with { NumClasses = 0 })).Message, StringComparison.Ordinal);
        Assert.Contains("takes 4 input channels", Assert.Throws<ArgumentException>(() => ImageClassification.CheckModel(config with { InChannels = 4 })).Message, StringComparison.Ordinal);
    }
}
