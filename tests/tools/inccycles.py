#!/usr/bin/env python3
"""Find cycles in the include graph of the project's own files.

    inccycles.py [TOP]

Nodes are src/*.c and include/*.h; an edge goes from a file to each of
our headers it includes with #include "NAME.h". A .c file and its header
count as one module (tui.c and tui.h are "tui"), so a cycle is between
modules: tui.c includes tui_draw.h, tui_draw.c includes tui.h. Prints each
strongly connected component of more than one module, its modules and
the include lines that close it; exits 1 when there is one, else 0.
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)\.h"', re.M)


def graph(top):
    edges = {}
    for sub, ext in (("src", ".c"), ("include", ".h")):
        d = os.path.join(top, sub)
        for name in sorted(os.listdir(d)):
            if not name.endswith(ext):
                continue
            mod = name[:-len(ext)]
            with open(os.path.join(d, name), encoding="utf-8", errors="replace") as f:
                for inc in INCLUDE.findall(f.read()):
                    if inc != mod and os.path.exists(os.path.join(top, "include", inc + ".h")):
                        edges.setdefault(mod, {}).setdefault(inc, []).append(sub + "/" + name)
                edges.setdefault(mod, {})
    return edges


def components(edges):
    """Tarjan's strongly connected components."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    edges = graph(top)
    cycles = [c for c in components(edges) if len(c) > 1]
    for c in cycles:
        print("cycle of %d modules: %s" % (len(c), " ".join(c)))
        for a in c:
            for b, files in sorted(edges[a].items()):
                if b in c:
                    print("    %s includes %s.h" % (", ".join(sorted(set(files))), b))
    print("%d modules, %d include cycles" % (len(edges), len(cycles)))
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
