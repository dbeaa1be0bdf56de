namespace CrossVit.Runtime.Model;

/// <summary>A checkpoint whose tensors do not match the config: every problem is listed.</summary>
public sealed class CheckpointMismatchException(string message) : Exception(message);
