#!/usr/bin/env python3
"""Rewrites a CUDA source of the GPU plugin into C++ for the CPU emulation (cuda_emulation.h).

    translate_kernels.py SOURCE.cu OUTPUT.cpp

Run at build time on the plugin's own .cu files, so the emulated tests always run the kernels as
they are in src/. Three constructs change; everything else is compiled as written, with
cuda_emulation.h force-included:

  kernel<<<grid, block, bytes, stream>>>(args)
      -> ::tandem::gpu::emulation::launch<W>("kernel", kernel, grid, block, bytes, stream)(args)
         W false where the file has no barrier, shuffle or __shared__: its threads then run
         in a plain loop, one after the other
  __shared__ T name[N]...;
      -> auto& name = ::tandem::gpu::emulation::shared_array<T[N]...>([] {});
  extern __shared__ __align__(A) T name[];
      -> T* const name = reinterpret_cast<T*>(::tandem::gpu::emulation::dynamic_shared());

Anything it cannot rewrite (a launch or a __shared__ of another form) fails the build with the
file and line, rather than leaving CUDA syntax for the C++ compiler to misread. Line numbers are
kept, and a #line directive names the source, so compiler errors point into src/.
"""
import re
import sys

NAMESPACE = "::tandem::gpu::emulation"

# A kernel, possibly a template-id with one level of nested template arguments.
TEMPLATE_ARGS = r"<(?:[^<>;]|<[^<>;]*>)*>"
LAUNCH = re.compile(r"\b(?P<name>[A-Za-z_]\w*(?:" + TEMPLATE_ARGS + r")?)\s*<<<(?P<config>.*?)>>>\s*\(",
                    re.S)
STATIC_SHARED = re.compile(
    r"\b__shared__\s+(?P<type>[\w:<>, ]+?)\s+(?P<name>\w+)(?P<dims>(?:\s*\[[^\]]+\])+)\s*;")
# What can make a thread wait for others, or share a block's memory with them.
WAITS = re.compile(r"\b(__syncthreads|__syncwarp|__shfl\w*|__shared__)\b")
DYNAMIC_SHARED = re.compile(
    r"\bextern\s+__shared__\s+(?:__align__\((?P<align>\d+)\)\s+)?(?P<type>[\w:<>, ]+?)\s+"
    r"(?P<name>\w+)\s*\[\s*\]\s*;")


def newlines(text):
    """The line breaks of `text`, so that a rewritten construct keeps its lines."""
    return "\n" * text.count("\n")


def fail(path, source, offset, what):
    line = source.count("\n", 0, offset) + 1
    sys.exit(f"{path}:{line}: error: translate_kernels.py: {what}")


def translate(path, source):
    def dynamic_shared(m):
        if m.group("align") and int(m.group("align")) > 128:
            fail(path, source, m.start(), "dynamic shared memory aligned past 128 bytes")
        return (f"{m.group('type')}* const {m.group('name')} = "
                f"reinterpret_cast<{m.group('type')}*>({NAMESPACE}::dynamic_shared());"
                + newlines(m.group(0)))

    def static_shared(m):
        dims = re.sub(r"\s+", "", m.group("dims"))
        return (f"auto& {m.group('name')} = {NAMESPACE}::shared_array<{m.group('type')}{dims}>([] {{}});"
                + newlines(m.group(0)))

    may_wait = "true" if WAITS.search(source) else "false"

    def launch(m):
        name = m.group("name")
        label = re.sub(r"\s+", " ", name)
        return (f'{NAMESPACE}::launch<{may_wait}>("{label}", {name}, {m.group("config")})('
                + newlines(m.group(0)[: m.start("config") - m.start()]))

    out = DYNAMIC_SHARED.sub(dynamic_shared, source)
    out = STATIC_SHARED.sub(static_shared, out)
    out, launches = LAUNCH.subn(launch, out)
    for leftover in ("<<<", ">>>", "__shared__"):
        if leftover in out:
            fail(path, out, out.index(leftover), f"cannot rewrite this use of {leftover}")
    if out.count("\n") != source.count("\n"):
        sys.exit(f"{path}: error: translate_kernels.py: the rewrite moved lines")
    return f'#line 1 "{path}"\n' + out, launches


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    path, output = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        source = f.read()
    translated, launches = translate(path, source)
    if "__global__" in source and launches == 0:
        fail(path, source, source.index("__global__"), "kernels but no launch found")
    with open(output, "w", encoding="utf-8") as f:
        f.write(translated)


if __name__ == "__main__":
    main()
