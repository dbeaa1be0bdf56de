namespace CrossVit.Runtime.Classification;

/// <summary>One class of a top-K answer.</summary>
/// <param name="Index">The class index in the classifier's output.</param>
/// <param name="Label">Its name (<see cref="ImageNetLabels.Label"/>).</param>
/// <param name="Probability">Its softmax probability.</param>
public readonly record struct Prediction(int Index, string Label, double Probability);

/// <summary>Turns a classifier's logits into the K most probable classes.</summary>
public static class Classification
{
    /// <summary>The <paramref name="k"/> largest softmax probabilities of <paramref name="logits"/>, most probable first (ties: lower index first).</summary>
    public static Prediction[] Top(ReadOnlySpan<float> logits, int k)
    {
        var probabilities = Softmax(logits);
        int classes = logits.Length;
        return [.. Enumerable.Range(0, classes).OrderByDescending(i => probabilities[i]).ThenBy(i => i).Take(k)
            .Select(i => new Prediction(i, ImageNetLabels.Label(i, classes), probabilities[i]))];
    }

    /// <summary>Softmax in double precision, shifted by the maximum so that large logits cannot overflow.</summary>
    private static double[] Softmax(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        var result = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += result[i] = Math.Exp(logits[i] - (double)max);
        for (int i = 0; i < result.Length; i++) result[i] /= sum;
        return result;
    }
}
