#!/usr/bin/env bash
# The packages as a user gets them: pack every src/ project to a folder feed, install the weft tool from it into a
# temporary tool path and run it on the bundled weft-tiny, then build samples/ChatSample against the packages of that
# feed (package references, no project references) and chat through IChatClient for a few tokens.
# PACK_SMOKE_NO_BUILD=1 packs what is already built in Release (CI, after the tests); KEEP=1 keeps the temp folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
[ -n "$version" ] || { echo "pack-smoke: FAILED: no <Version> in Directory.Build.props" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/weft-pack-smoke.XXXXXX")
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$work"' EXIT
feed=$work/feed
step() { printf 'pack-smoke: %s\n' "$*"; }
fail() { printf 'pack-smoke: FAILED: %s\n' "$*" >&2; exit 1; }
show_fail() { cat "$1" >&2; fail "$2"; }
started=$SECONDS

# 1. pack
step "packing $version into $feed"
t=$SECONDS
# Weft.Cli and Weft.Extensions.AI reference every other src/ project: two builds, then each project packs what they
# built (packing the solution would build the tests and benchmarks too).
# With PACK_SMOKE_NO_BUILD the tests have built Weft.Cli and all below it; no test references Weft.Extensions.AI, so it is
# still built (its dependencies are up to date, so that is one small project).
built="src/Weft.Cli/Weft.Cli.csproj src/Weft.Extensions.AI/Weft.Extensions.AI.csproj"
[ -n "${PACK_SMOKE_NO_BUILD:-}" ] && built="src/Weft.Extensions.AI/Weft.Extensions.AI.csproj"
if true; then
  for p in $built; do
    dotnet build "$p" -c Release -nologo >> "$work/pack.log" 2>&1 || show_fail "$work/pack.log" "dotnet build $p"
  done
fi
for p in src/*/*.csproj; do
  dotnet pack "$p" -c Release -o "$feed" -nologo --no-build >> "$work/pack.log" 2>&1 || show_fail "$work/pack.log" "dotnet pack $p"
done
for dir in src/*/; do
  name=$(basename "$dir")
  id=$name; [ "$name" = Weft.Cli ] && id=Weft
  [ -f "$feed/$id.$version.nupkg" ] || fail "$id.$version.nupkg is not in the feed (src/$name did not pack)"
done
python3 - "$feed/Weft.$version.nupkg" <<'PY' || fail "the tool package lacks the bundled model or its README"
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = ["tools/net10.0/any/weft.dll", "tools/net10.0/any/models/weft-tiny.gguf", "README.md", "icon.png", "DotnetToolSettings.xml"]
need = [n if n != "DotnetToolSettings.xml" else "tools/net10.0/any/DotnetToolSettings.xml" for n in need]
missing = [n for n in need if n not in names]
if missing: sys.exit("missing: " + ", ".join(missing))
PY
step "packed $(ls "$feed"/*.nupkg | wc -l) packages in $((SECONDS - t)) s ($(du -sh "$feed/Weft.$version.nupkg" | cut -f1) tool package)"

# Restores go to a package folder of their own, so no Weft package from another run or source is reused;
# everything else comes from the machine's package folder or nuget.org. Weft.* only ever from the feed.
global=${NUGET_PACKAGES:-$HOME/.nuget/packages}
export NUGET_PACKAGES=$work/packages
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="weft-feed" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="weft-feed"><package pattern="Weft" /><package pattern="Weft.*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
  <fallbackPackageFolders>
    <add key="machine" value="$global" />
  </fallbackPackageFolders>
</configuration>
XML

# 2. the tool
t=$SECONDS
dotnet tool install Weft --version "$version" --tool-path "$work/tools" --configfile "$work/nuget.config" > "$work/tool.log" 2>&1 || show_fail "$work/tool.log" "dotnet tool install"
step "tool installed in $((SECONDS - t)) s"
weft=$work/tools/weft
line=$("$weft" --version) || fail "weft --version exited $?"
case "$line" in "$version"*) ;; *) fail "weft --version printed '$line', expected $version[+commit]" ;; esac
step "weft --version: $line"
out=$(cd "$work" && "$weft" run --prompt "In the beginning" -n 8 --temp 0 2>&1) || { echo "$out" >&2; fail "weft run on the bundled weft-tiny"; }
[ -n "$(printf '%s' "$out" | tr -d '[:space:]')" ] || fail "weft run printed nothing"
step "weft run: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-120)"

# 3. the sample, from the feed's packages
t=$SECONDS
cp -r samples/ChatSample "$work/ChatSample"
rm -rf "$work/ChatSample/bin" "$work/ChatSample/obj"
dotnet build "$work/ChatSample" -c Release -nologo -p:WeftVersion="$version" > "$work/sample.log" 2>&1 || show_fail "$work/sample.log" "building samples/ChatSample against the feed"
[ -d "$NUGET_PACKAGES/weft.extensions.ai/$version" ] || fail "the sample did not restore Weft.Extensions.AI $version from the feed"
answer=$(dotnet "$work/ChatSample/bin/Release/net10.0/ChatSample.dll" "$root/models/weft-tiny/weft-tiny.gguf" "Who made the heaven and the earth?" 8 2>&1) \
  || { echo "$answer" >&2; fail "ChatSample exited non-zero"; }
step "sample built and ran in $((SECONDS - t)) s; IChatClient answered: $(printf '%s' "$answer" | tr '\n' ' ' | cut -c1-120)"
step "ok in $((SECONDS - started)) s"
