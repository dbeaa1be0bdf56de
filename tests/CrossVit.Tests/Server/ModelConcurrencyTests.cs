using CrossVit.Runtime.Model;
using Xunit;

namespace CrossVit.Tests.Server;

/// <summary>
/// The server calls <see cref="CrossVitModel.Run(ReadOnlySpan{float}, int, int, int)"/> from many requests at once;
/// every answer must be bit-identical to the same call made alone, whichever pooled session ran it.
/// </summary>
public class ModelConcurrencyTests
{
    private const int Threads = 8, CallsPerThread = 500;

    [Fact]
    public void EightThreadsOfMixedBatchesMatchSequentialRunsBitForBit()
    {
        const string name = "mini_avgpool";   // the smallest golden model, with three input images
        using var model = CrossVitModel.Load(TestData.Config(name), TestData.Golden(name, "weights.safetensors"));
        var array = TestData.Array(name, "input.npy");
        float[] input = array.ToFloat32();
        int images = array.Shape[0], size = array.Shape[2], per = input.Length / images;

        // Every (batch, first image) window of the input, with its sequential answer.
        var windows = (from batch in Enumerable.Range(1, images)
                       from first in Enumerable.Range(0, images - batch + 1)
                       select (Batch: batch, First: first)).ToArray();
        var expected = windows.Select(w => model.Run(input.AsSpan(w.First * per, w.Batch * per), w.Batch, size, size)).ToArray();

        var mismatches = new int[Threads];
        var errors = new Exception?[Threads];
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                for (int i = 0; i < CallsPerThread; i++)
                {
                    int k = (t * 7 + i) % windows.Length;   // threads walk the windows out of step with one another
                    var (batch, first) = windows[k];
                    var output = model.Run(input.AsSpan(first * per, batch * per), batch, size, size);
                    if (!output.AsSpan().SequenceEqual(expected[k])) mismatches[t]++;
                }
            }
            catch (Exception e)
            {
                errors[t] = e;
            }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();

        Assert.All(errors, e => Assert.Null(e));
        Assert.Equal(0, mismatches.Sum());
    }
}
