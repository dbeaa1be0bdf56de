using System.Reflection;
using CrossVit.Runtime.Engine;
using Xunit;

namespace CrossVit.Tests;

/// <summary>
/// The runtime's namespaces depend one way (docs/design.md, "Where things live"): Config, Threading and Profiling on
/// nothing of the runtime; Kernels on Threading and Profiling; Engine on those and Config; Model on all of them;
/// Classification on Model and below. Checked over every type's base type, interfaces, fields, properties, events,
/// method and constructor signatures and locals, generic arguments included, compiler-generated types included.
/// </summary>
public class LayeringTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Config"] = [],
        ["Threading"] = [],
        ["Profiling"] = [],
        ["Kernels"] = ["Threading", "Profiling"],
        ["Engine"] = ["Config", "Threading", "Profiling", "Kernels"],
        ["Model"] = ["Config", "Threading", "Profiling", "Kernels", "Engine"],
        ["Classification"] = ["Config", "Threading", "Profiling", "Kernels", "Engine", "Model"],
    };

    private const BindingFlags All =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void EveryRuntimeNamespaceIsKnown()
    {
        var unknown = typeof(InferenceSession).Assembly.GetTypes()
            .Select(Layer).OfType<string>().Distinct().Where(l => !Allowed.ContainsKey(l)).ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void NamespacesDependOnlyOnTheLayersBelow()
    {
        var violations = new SortedSet<string>();
        foreach (var type in typeof(InferenceSession).Assembly.GetTypes())
        {
            if (Layer(type) is not { } layer || !Allowed.TryGetValue(layer, out var allowed)) continue;
            foreach (var used in Referenced(type))
            {
                if (Layer(used) is { } other && other != layer && !allowed.Contains(other))
                {
                    violations.Add($"{type.FullName} ({layer}) uses {used.FullName} ({other})");
                }
            }
        }
        Assert.Empty(violations);
    }

    /// <summary>The runtime namespace a type belongs to ("Kernels" for CrossVit.Runtime.Kernels.Gemm), or null outside the runtime's namespaces.</summary>
    private static string? Layer(Type type)
    {
        const string Prefix = "CrossVit.Runtime.";
        var ns = type.Namespace;
        if (ns is null || !ns.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        return ns[Prefix.Length..].Split('.')[0];
    }

    private static IEnumerable<Type> Referenced(Type type)
    {
        var direct = new List<Type?> { type.BaseType };
        direct.AddRange(type.GetInterfaces());
        if (type.IsGenericTypeDefinition) direct.AddRange(type.GetGenericArguments().SelectMany(a => a.GetGenericParameterConstraints()));
        direct.AddRange(type.GetFields(All).Select(f => f.FieldType));
        direct.AddRange(type.GetProperties(All).Select(p => p.PropertyType));
        direct.AddRange(type.GetEvents(All).Select(e => e.EventHandlerType));
        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo info) direct.Add(info.ReturnType);
            direct.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method.IsGenericMethodDefinition) direct.AddRange(method.GetGenericArguments().SelectMany(a => a.GetGenericParameterConstraints()));
            if (method.GetMethodBody() is { } body) direct.AddRange(body.LocalVariables.Select(l => l.LocalType));
        }
        return direct.OfType<Type>().SelectMany(Expand);
    }

    /// <summary>A type and everything it is built from: element types of arrays, pointers and refs, and generic arguments.</summary>
    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.HasElementType) return Expand(type.GetElementType()!);
        if (type.IsGenericParameter) return [];
        var types = new List<Type> { type };
        if (type.IsGenericType) types.AddRange(type.GetGenericArguments().SelectMany(Expand));
        return types;
    }
}
