using System.Buffers;
using CrossVit.Imaging.Resampling;

namespace CrossVit.Imaging;

/// <summary>Model input preparation that reproduces timm/torchvision on PIL images bit for bit.</summary>
public static class Preprocess
{
    /// <summary>Largest output side accepted: its tensor, 3 × 4096² floats, is 192 MiB; models take 224 to 408.</summary>
    public const int MaxSize = 4096;

    /// <summary>
    /// timm's eval transform: <c>Resize(floor(size / cropPct), bicubic)</c> on the shorter side (PIL's antialiased bicubic),
    /// <c>CenterCrop(size)</c>, <c>ToTensor()</c>, <c>Normalize(mean, std)</c>. With three channels of statistics the
    /// image is taken as RGB; with one, as PIL's grayscale <c>convert('L')</c>, which timm loads for a one-channel model.
    /// </summary>
    /// <param name="image">The decoded image.</param>
    /// <param name="size">Output side length in pixels.</param>
    /// <param name="cropPct">Fraction of the resized shorter side kept by the crop, e.g. 0.875.</param>
    /// <param name="normalization">Channel statistics, e.g. <see cref="Normalization.ImageNet"/>; their count is the output's channels.</param>
    /// <returns>A new <c>[channels, size, size]</c> float32 tensor in CHW order.</returns>
    public static float[] TimmEval(RgbImage image, int size, double cropPct, Normalization normalization)
    {
        ValidateNormalization(normalization);
        CheckSize(size);
        var result = new float[(long)normalization.Channels * size * size];
        TimmEval(image, size, cropPct, normalization, result);
        return result;
    }

    /// <summary>Same as <see cref="TimmEval(RgbImage, int, double, Normalization)"/>, writing into <paramref name="destination"/>.</summary>
    /// <param name="image">The decoded image.</param>
    /// <param name="size">Output side length in pixels.</param>
    /// <param name="cropPct">Fraction of the resized shorter side kept by the crop, e.g. 0.875.</param>
    /// <param name="normalization">Channel statistics, e.g. <see cref="Normalization.ImageNet"/>; their count is the output's channels.</param>
    /// <param name="destination">Exactly <c>channels * size * size</c> floats, filled in CHW order.</param>
    public static void TimmEval(RgbImage image, int size, double cropPct, Normalization normalization, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckSize(size);
        if (!(cropPct > 0) || double.IsInfinity(cropPct))
        {
            throw new ArgumentOutOfRangeException(nameof(cropPct), cropPct, "cropPct must be a positive finite number.");
        }

        ValidateNormalization(normalization);
        int channels = normalization.Channels;
        if (destination.Length != (long)channels * size * size)
        {
            throw new ArgumentException($"Destination must hold exactly {channels}*{size}*{size} floats, got {destination.Length}.", nameof(destination));
        }

        // timm: scale_size = math.floor(img_size / crop_pct).
        double scaled = Math.Floor(size / cropPct);
        if (scaled < 1 || scaled > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(cropPct), cropPct, $"size / cropPct must be at least 1 and fit an int, got {scaled}.");
        }

        (int resizedWidth, int resizedHeight) = ShorterSideSize(image.Width, image.Height, (int)scaled);
        int left = CropOrigin(resizedWidth, size);
        int top = CropOrigin(resizedHeight, size);

        // Only the part of the resized image that survives the crop is computed; the rest is padding.
        int x0 = Math.Max(left, 0), x1 = Math.Min(left + size, resizedWidth);
        int y0 = Math.Max(top, 0), y1 = Math.Min(top + size, resizedHeight);
        // Gray goes through the RGB resize as three equal channels: each channel is resized on its own, so channel 0
        // is exactly the resize of the gray image.
        RgbImage source = channels == 3 ? image : Luminance(image);
        byte[] window = PilBicubic.ResizeWindow(source, resizedWidth, resizedHeight, x0, y0, x1 - x0, y1 - y0);
        int windowWidth = x1 - x0;
        try
        {
            int plane = size * size;
            for (int c = 0; c < channels; c++)
            {
                // torchvision: ToTensor divides by 255 in float32, Normalize then does sub_(mean).div_(std).
                float mean = normalization.Mean[c];
                float std = normalization.Std[c];
                float padding = (0f - mean) / std;
                Span<float> dst = destination.Slice(c * plane, plane);
                for (int y = 0; y < size; y++)
                {
                    int sy = top + y;
                    for (int x = 0; x < size; x++)
                    {
                        int sx = left + x;
                        dst[(y * size) + x] = sy >= y0 && sy < y1 && sx >= x0 && sx < x1
                            ? ((window[((((sy - y0) * windowWidth) + (sx - x0)) * 3) + c] / 255f) - mean) / std
                            : padding;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }

    /// <summary>
    /// PIL's <c>convert('L')</c> of RGB, <c>(19595 R + 38470 G + 7471 B + 2¹⁵) >> 16</c> (ITU-R 601-2 luma in 16-bit
    /// fixed point), in all three channels. Gray sources decode to R = G = B, which this maps back to themselves, as PIL
    /// opens them as L.
    /// </summary>
    private static RgbImage Luminance(RgbImage image)
    {
        byte[] rgb = image.Pixels;
        var gray = new byte[rgb.Length];
        for (int i = 0; i < rgb.Length; i += 3)
        {
            byte luma = (byte)(((rgb[i] * 19595) + (rgb[i + 1] * 38470) + (rgb[i + 2] * 7471) + 0x8000) >> 16);
            gray[i] = gray[i + 1] = gray[i + 2] = luma;
        }

        return new RgbImage(image.Width, image.Height, gray);
    }

    /// <summary>torchvision's <c>Resize(int)</c>: the shorter side becomes <paramref name="target"/>, the longer <c>int(target * long / short)</c>.</summary>
    private static (int Width, int Height) ShorterSideSize(int width, int height, int target)
    {
        int shortSide = Math.Min(width, height);
        int longSide = Math.Max(width, height);
        double newLong = (double)((long)target * longSide) / shortSide;
        if (newLong >= int.MaxValue)
        {
            throw new ArgumentException($"Resizing a {width}x{height} image to shorter side {target} overflows.", nameof(width));
        }

        return width <= height ? (target, (int)newLong) : ((int)newLong, target);
    }

    /// <summary>
    /// torchvision's <c>CenterCrop</c> offset: <c>int(round((extent - crop) / 2))</c> with banker's rounding, or,
    /// when the image is smaller than the crop, minus the left/top zero padding <c>(crop - extent) // 2</c>.
    /// </summary>
    private static int CropOrigin(int extent, int crop) =>
        crop > extent ? -((crop - extent) / 2) : (int)Math.Round((extent - crop) / 2.0, MidpointRounding.ToEven);

    private static void CheckSize(int size)
    {
        if (size is < 1 or > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"The output size must be 1 to {MaxSize} pixels.");
        }
    }

    private static void ValidateNormalization(Normalization normalization)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        if (normalization.Mean is not { Length: 1 or 3 } || normalization.Std?.Length != normalization.Mean.Length)
        {
            throw new ArgumentException(
                $"Normalization needs one mean and one standard deviation per channel, three (RGB) or one (grayscale); got {normalization.Mean?.Length ?? 0} and {normalization.Std?.Length ?? 0}.",
                nameof(normalization));
        }

        foreach (float s in normalization.Std)
        {
            if (s == 0f || !float.IsFinite(s))
            {
                throw new ArgumentException("Normalization standard deviations must be finite and non-zero.", nameof(normalization));
            }
        }
    }
}
