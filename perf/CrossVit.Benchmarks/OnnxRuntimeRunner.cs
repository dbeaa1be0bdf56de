using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;

namespace CrossVit.Benchmarks;

/// <summary>
/// <c>CrossVit.Benchmarks ort</c>: ONNX Runtime's .NET API kept resident for perf/compare/compare.py, one JSON request
/// per stdin line and one JSON reply per stdout line, handled strictly one at a time so nothing overlaps a timed run:
/// <code>
/// {"cmd": "load", "model": "m.onnx", "threads": T}                                   → {"ok": true, "version": "..."}
/// {"cmd": "run", "input": "x.f32", "shape": [B,3,H,W], "output": "y.f32"}            → {"ok": true, "shape": [B, K]}
/// {"cmd": "bench", "input": "x.f32", "shape": [...], "warmup": W, "iterations": N}   → {"ok": true, "times_ms": [...]}
/// </code>
/// Tensors travel as raw little-endian float32 files.
/// </summary>
internal static class OnnxRuntimeRunner
{
    /// <summary>A CPU session with T intra-op threads and operators one after another: the thread budget ours gets.</summary>
    public static InferenceSession Open(string model, int threads)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        return new InferenceSession(model, options);
    }

    public static void Serve(TextReader input, TextWriter output)
    {
        InferenceSession? session = null;
        try
        {
            while (input.ReadLine() is { } line)
            {
                JsonObject reply;
                try
                {
                    var request = JsonNode.Parse(line)!.AsObject();
                    reply = (string?)request["cmd"] switch
                    {
                        "load" => Load(ref session, request),
                        "run" => Run(Require(session), request),
                        "bench" => Bench(Require(session), request),
                        var other => throw new ArgumentException($"Unknown cmd '{other}'; expected load, run or bench."),
                    };
                    reply["ok"] = true;
                }
                catch (Exception e) when (e is OnnxRuntimeException or ArgumentException or IOException or JsonException or InvalidOperationException or NullReferenceException)
                {
                    reply = new JsonObject { ["ok"] = false, ["error"] = e.Message };
                }
                output.WriteLine(reply.ToJsonString());
                output.Flush();
            }
        }
        finally
        {
            session?.Dispose();
        }
    }

    private static InferenceSession Require(InferenceSession? session) =>
        session ?? throw new InvalidOperationException("No model loaded; send {\"cmd\": \"load\", ...} first.");

    private static JsonObject Load(ref InferenceSession? session, JsonObject request)
    {
        session?.Dispose();
        session = Open((string)request["model"]!, (int)request["threads"]!);
        return new JsonObject { ["version"] = OrtEnv.Instance().GetVersionString() };
    }

    private static (float[] Data, long[] Shape) ReadInput(JsonObject request)
    {
        var bytes = File.ReadAllBytes((string)request["input"]!);
        var data = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, data, 0, data.Length * sizeof(float));
        return (data, request["shape"]!.AsArray().Select(d => (long)d!).ToArray());
    }

    private static JsonObject Run(InferenceSession session, JsonObject request)
    {
        var (data, shape) = ReadInput(request);
        using var x = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var results = session.Run(new RunOptions(), [session.InputNames[0]], [x], [session.OutputNames[0]]);
        var y = results[0];
        var logits = y.GetTensorDataAsSpan<float>().ToArray();
        var bytes = new byte[logits.Length * sizeof(float)];
        Buffer.BlockCopy(logits, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes((string)request["output"]!, bytes);
        return new JsonObject { ["shape"] = new JsonArray([.. y.GetTensorTypeAndShape().Shape.Select(d => JsonValue.Create(d))]) };
    }

    private static JsonObject Bench(InferenceSession session, JsonObject request)
    {
        var (data, shape) = ReadInput(request);
        int warmup = (int)request["warmup"]!, iterations = (int)request["iterations"]!;
        using var x = OrtValue.CreateTensorValueFromMemory(data, shape);
        string[] inputs = [session.InputNames[0]], outputs = [session.OutputNames[0]];
        using var runOptions = new RunOptions();
        var times = new JsonArray();
        for (int i = 0; i < warmup + iterations; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using var results = session.Run(runOptions, inputs, [x], outputs);
            if (i >= warmup) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return new JsonObject { ["times_ms"] = times };
    }
}
