using CrossVit.Imaging;
using Xunit;

namespace CrossVit.Tests.Imaging;

public sealed class PreprocessTests
{
    [Fact]
    public void UniformImageStaysUniformAtAnyScale()
    {
        // Bicubic weights are normalised, so a flat image is preserved exactly whether it is shrunk or enlarged.
        foreach ((int w, int h) in new[] { (500, 300), (37, 61), (240, 240) })
        {
            var image = new RgbImage(w, h, Enumerable.Repeat((byte)200, w * h * 3).ToArray());
            float[] tensor = Preprocess.TimmEval(image, 24, 0.875, Normalization.ImageNet);
            for (int c = 0; c < 3; c++)
            {
                float expected = ((200 / 255f) - Normalization.ImageNet.Mean[c]) / Normalization.ImageNet.Std[c];
                Assert.All(tensor.AsSpan(c * 576, 576).ToArray(), v => Assert.Equal(expected, v));
            }
        }
    }

    [Fact]
    public void CropLargerThanResizedImageIsZeroPadded()
    {
        // cropPct > 1 shrinks the image below the crop; torchvision pads with zeros before cropping.
        var image = new RgbImage(10, 10, Enumerable.Repeat((byte)255, 300).ToArray());
        float[] tensor = Preprocess.TimmEval(image, 10, 2.0, Normalization.ImageNet);
        float padding = (0f - Normalization.ImageNet.Mean[0]) / Normalization.ImageNet.Std[0];
        float white = (1f - Normalization.ImageNet.Mean[0]) / Normalization.ImageNet.Std[0];

        // Resized to 5x5, padded by 2 on the top/left and 3 on the bottom/right.
        Assert.Equal(padding, tensor[(1 * 10) + 1]);
        Assert.Equal(white, tensor[(2 * 10) + 2]);
        Assert.Equal(white, tensor[(6 * 10) + 6]);
        Assert.Equal(padding, tensor[(7 * 10) + 7]);
    }

    [Fact]
    public void ValidatesArguments()
    {
        var image = new RgbImage(4, 4, new byte[48]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Preprocess.TimmEval(image, 0, 0.875, Normalization.ImageNet));
        Assert.Throws<ArgumentOutOfRangeException>(() => Preprocess.TimmEval(image, 4, 0, Normalization.ImageNet));
        Assert.Throws<ArgumentOutOfRangeException>(() => Preprocess.TimmEval(image, 4, double.NaN, Normalization.ImageNet));
        Assert.Throws<ArgumentException>(() => Preprocess.TimmEval(image, 4, 0.875, new Normalization([0f, 0f], [1f, 1f])));
        Assert.Throws<ArgumentException>(() => Preprocess.TimmEval(image, 4, 0.875, new Normalization([0f], [1f, 1f, 1f])));
        Assert.Throws<ArgumentException>(() => Preprocess.TimmEval(image, 4, 0.875, new Normalization([0f], [1f]), new float[48]));
        Assert.Throws<ArgumentException>(() => Preprocess.TimmEval(image, 4, 0.875, new Normalization([0f, 0f, 0f], [1f, 0f, 1f])));
        Assert.Throws<ArgumentException>(() => Preprocess.TimmEval(image, 4, 0.875, Normalization.ImageNet, new float[47]));
        Assert.Throws<ArgumentException>(() => new RgbImage(4, 4, new byte[47]));
    }
}
