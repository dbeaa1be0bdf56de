using System.Diagnostics.Metrics;
using CrossVit.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// The namespace of IServiceCollection, as is usual for AddX extensions, so that they need no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers CrossViT image classification with a host's services.</summary>
public static class CrossVitServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="CrossVitOptions"/> to <paramref name="configuration"/> and checks them when the host starts (an
    /// invalid setting stops it with a message naming the setting); loads the model once, in the background, when the
    /// host starts; and registers <see cref="ImageClassifier"/> as a singleton. Its metrics need the <c>IMeterFactory</c>
    /// that the default hosts (<c>Host.CreateApplicationBuilder</c>, <c>WebApplication.CreateBuilder</c>) register.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">Conventionally <c>builder.Configuration.GetSection("CrossVit")</c>.</param>
    /// <returns>The options builder, for further configuration or validation.</returns>
    public static OptionsBuilder<CrossVitOptions> AddCrossVit(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<CrossVitOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CrossVitOptions>, CrossVitOptionsValidator>());
        services.TryAddSingleton<ModelHost>();
        services.TryAddSingleton(provider => new ImageClassifier(provider.GetRequiredService<ModelHost>(),
            provider.GetRequiredService<IOptions<CrossVitOptions>>(), provider.GetRequiredService<IMeterFactory>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ModelHost>(provider => provider.GetRequiredService<ModelHost>()));
        return options;
    }

    /// <summary>
    /// Adds a health check of the classifier: unhealthy until the model has loaded (or when it failed to), degraded
    /// while the queue is nearly full (at least <see cref="CrossVitHealthCheck.DegradedQueueFraction"/> of
    /// <see cref="CrossVitOptions.QueueLimit"/>), healthy otherwise. Needs <see cref="AddCrossVit(IServiceCollection, IConfiguration)"/>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name in reports.</param>
    /// <param name="tags">Tags to select the check by, e.g. <c>["ready"]</c> for a readiness probe.</param>
    public static IHealthChecksBuilder AddCrossVit(this IHealthChecksBuilder builder, string name = "crossvit", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<CrossVitHealthCheck>(name, HealthStatus.Unhealthy, tags ?? []);
    }
}
