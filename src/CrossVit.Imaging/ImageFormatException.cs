namespace CrossVit.Imaging;

/// <summary>Thrown for any malformed, truncated, oversized or unsupported image.</summary>
public class ImageFormatException : Exception
{
    /// <summary>Creates an exception with a default message.</summary>
    public ImageFormatException()
        : base("The image data is malformed or unsupported.")
    {
    }

    /// <summary>Creates an exception that says what is wrong and what was expected.</summary>
    /// <param name="message">The description of the problem.</param>
    public ImageFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception that wraps a lower-level failure.</summary>
    /// <param name="message">The description of the problem.</param>
    /// <param name="innerException">The failure that revealed it.</param>
    public ImageFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
