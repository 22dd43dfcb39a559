// The functions every template can call: range, namespace, dict, raise_exception, strftime_now (as transformers provides).
namespace Weft.Inference.Templates;

internal static class Globals
{
    public static void AddTo(Scope scope, ChatTemplateContext ctx)
    {
        scope.Set("range", new CallableValue("range", a => Range(a, ctx.Limits.MaxSteps)));
        scope.Set("namespace", new CallableValue("namespace", a =>
        {
            var ns = new NamespaceValue();
            if (a.Positional.Count > 0)
            {
                if (a.Positional[0] is not DictValue init) throw new RenderError("namespace() takes a mapping or keyword arguments");
                foreach (var kv in init.Items) ns.Attributes[PyText.Str(kv.Key)] = kv.Value;
            }
            foreach (var kv in a.Named) ns.Attributes[kv.Key] = kv.Value;
            return ns;
        }));
        scope.Set("dict", new CallableValue("dict", a =>
        {
            var d = new DictValue();
            if (a.Positional.Count > 0)
            {
                if (a.Positional[0] is DictValue src) foreach (var kv in src.Items) d.Items[kv.Key] = kv.Value;
                else foreach (var pair in Ops.Iterate(a.Positional[0]))
                    {
                        var kv = Ops.Iterate(pair);
                        if (kv.Count != 2) throw new RenderError("dict() sequence elements must have length 2");
                        d.Items[kv[0]] = kv[1];
                    }
            }
            foreach (var kv in a.Named) d.Set(kv.Key, kv.Value);
            return d;
        }));
        scope.Set("raise_exception", new CallableValue("raise_exception", a =>
            throw new RenderError(a.Positional.Count > 0 ? PyText.Str(a.Positional[0]) : "raise_exception called")));
        scope.Set("strftime_now", new CallableValue("strftime_now", a =>
            Value.Of(Strftime.Format(ctx.Clock(), a.Positional.Count > 0 ? PyText.Str(a.Positional[0]) : throw new RenderError("strftime_now needs a format")))));
    }

    private static Value Range(CallArgs a, long maxItems)
    {
        long Arg(int i) => Ops.AsLong(a.Positional[i]) ?? throw new RenderError($"range() arguments must be integers, not {a.Positional[i].TypeName}");
        long start = 0, stop, step = 1;
        switch (a.Positional.Count)
        {
            case 1: stop = Arg(0); break;
            case 2: start = Arg(0); stop = Arg(1); break;
            case 3: start = Arg(0); stop = Arg(1); step = Arg(2); break;
            default: throw new RenderError($"range expected 1 to 3 arguments, got {a.Positional.Count}");
        }
        if (step == 0) throw new RenderError("range() arg 3 must not be zero");
        long count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0) : (start > stop ? (start - stop - step - 1) / -step : 0);
        if (count > maxItems) throw new RenderError($"range of {count:N0} items exceeds the evaluation step limit ({maxItems:N0})");
        var items = new List<Value>((int)count);
        for (long k = 0, v = start; k < count; k++, v += step) items.Add(Value.Of(v));
        return new ListValue(items);
    }
}
