// weft-fuzz: `run TARGET` under afl-fuzz, `replay TARGET PATH…` to feed saved inputs, `seed DIR` to write seed
// corpora, `list` to name the targets.
using SharpFuzz;
using Weft.Fuzz;
using Weft.Fuzz.Seeds;

return args switch
{
    ["list"] => List(),
    ["run", var name] => Run(FuzzTargets.Get(name)),
    ["replay", var name, .. var paths] => Replay.Files(FuzzTargets.Get(name), paths),
    ["seed", var dir] => SeedWriter.WriteAll(dir),
    _ => Usage(),
};

static int List()
{
    foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-18} {t.Parser}");
    return 0;
}

static int Run(FuzzTarget target)
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        target.Run(buffer.ToArray());
    });
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: weft-fuzz list | run TARGET | replay TARGET FILE|DIR… | seed DIR");
    return 2;
}
