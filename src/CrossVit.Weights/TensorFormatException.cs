namespace CrossVit.Weights;

/// <summary>
/// A safetensors or .npy file is malformed or unsupported. The message says what is wrong, what was expected,
/// and names the tensor or header field concerned.
/// </summary>
public class TensorFormatException : Exception
{
    /// <summary>Creates an exception with a default message.</summary>
    public TensorFormatException()
        : base("The tensor file is malformed.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    public TensorFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and the exception that revealed the problem.</summary>
    public TensorFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
