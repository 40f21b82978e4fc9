using System.Diagnostics;
using System.Reflection;
using Xunit;

// Usage: MLNetClip.DeviceRunner test [--filter SUBSTRING]...
//        MLNetClip.DeviceRunner cli ARGS...     (the mlnetclip tool)
//        MLNetClip.DeviceRunner bench ARGS...   (the benchmarks)
// `test` runs every [Fact] and [Theory] case in the referenced test assemblies and prints one
// line per failure plus the summary "N passed, N failed, N skipped"; exit code 1 on any failure.
if (args.Length > 0 && args[0] is "cli" or "bench")
{
    var entry = Assembly.Load(new AssemblyName(args[0] == "cli" ? "mlnetclip" : "MLNetClip.Bench")).EntryPoint!;
    var result = entry.Invoke(null, [args[1..]]);
    return result switch { Task<int> t => t.GetAwaiter().GetResult(), int code => code, _ => 0 };
}
if (args.Length == 0 || args[0] != "test")
{
    Console.Error.WriteLine("usage: MLNetClip.DeviceRunner test|cli|bench [args]");
    return 2;
}
args = args[1..];
var filters = new List<string>();
for (var i = 0; i < args.Length; i++)
    if (args[i] == "--filter" && i + 1 < args.Length) filters.Add(args[++i]);

var assemblies = new[] { "MLNetClip.Torch.Tests", "MLNetClip.Models.Tests", "MLNetClip.Pretraining.Tests" }
    .Select(n => Assembly.Load(new AssemblyName(n)));
int passed = 0, failed = 0, skipped = 0;
var total = Stopwatch.StartNew();
foreach (var type in assemblies.SelectMany(a => a.GetTypes()).Where(t => t.IsClass && !t.IsAbstract && t.IsPublic))
{
    foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
    {
        var fact = method.GetCustomAttribute<FactAttribute>();
        if (fact is null) continue;
        var name = $"{type.FullName}.{method.Name}";
        if (filters.Count > 0 && !filters.Any(f => name.Contains(f, StringComparison.Ordinal))) continue;
        if (fact.Skip is not null) { skipped++; continue; }
        foreach (var data in Cases(type, method, fact))
        {
            var label = data.Length == 0 ? name : $"{name}({string.Join(", ", data.Select(d => d?.ToString() ?? "null"))})";
            var error = Run(type, method, data);
            if (error is null) { passed++; continue; }
            failed++;
            Console.WriteLine($"FAIL {label}\n     {error.GetType().Name}: {error.Message.Replace("\n", "\n     ")}");
        }
    }
}
Console.WriteLine($"device runner finished in {total.Elapsed.TotalSeconds:F1} s");
Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
return failed == 0 ? 0 : 1;

static IEnumerable<object?[]> Cases(Type type, MethodInfo method, FactAttribute fact)
{
    if (fact is not TheoryAttribute) return [[]];
    var cases = new List<object?[]>();
    foreach (var inline in method.GetCustomAttributes<InlineDataAttribute>())
        cases.AddRange(inline.GetData(method));
    foreach (var member in method.GetCustomAttributes<MemberDataAttribute>())
    {
        var owner = member.MemberType ?? type;
        const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.FlattenHierarchy;
        object? source = owner.GetProperty(member.MemberName, flags)?.GetValue(null)
            ?? owner.GetField(member.MemberName, flags)?.GetValue(null)
            ?? owner.GetMethod(member.MemberName, flags)?.Invoke(null, member.Parameters);
        if (source is not System.Collections.IEnumerable rows)
            throw new InvalidOperationException($"{type.Name}.{method.Name}: member data '{member.MemberName}' not found");
        foreach (var row in rows)
            cases.Add(row switch
            {
                object?[] array => array,
                _ => throw new InvalidOperationException($"{member.MemberName} yields {row?.GetType().Name}, not object[]"),
            });
    }
    return cases;
}

static Exception? Run(Type type, MethodInfo method, object?[] data)
{
    object? instance = null;
    try
    {
        instance = method.IsStatic ? null : CreateInstance(type);
        var result = method.Invoke(instance, data.Length == 0 ? null : data);
        if (result is Task task) task.GetAwaiter().GetResult();
        return null;
    }
    catch (TargetInvocationException e)
    {
        return e.InnerException ?? e;
    }
    catch (Exception e)
    {
        return e;
    }
    finally
    {
        (instance as IDisposable)?.Dispose();
    }
}

// Supports the two constructor shapes our suites use: none, or class fixtures.
static object CreateInstance(Type type)
{
    var ctor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
    var args = ctor.GetParameters().Select(p => Activator.CreateInstance(p.ParameterType)).ToArray();
    return ctor.Invoke(args);
}
