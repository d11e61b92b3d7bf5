#!/usr/bin/env python3
"""idlc's command line as a user meets it: --help, usage errors and exit
codes, -o, -I, -D, the rendered diagnostic (header, source line, caret),
diagnostics inside #included files, pipe types in the JSON model, and
every --emit accepting exactly the same files.

Each case runs the real idlc binary on files written into a temporary
directory; every expectation is exact. Only the standard library.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

IFACE = """[uuid(6d5140c1-7436-11ce-8034-00aa006009fa), version(1.0), pointer_default(unique)]
interface ICli
{
%s
}
"""

failures = []


def check(name, condition, detail=""):
    if condition:
        print("ok   %s" % name)
    else:
        print("FAIL %s%s" % (name, ("\n" + detail) if detail else ""))
        failures.append(name)


def run(idlc, *args, cwd):
    return subprocess.run([idlc, *args], capture_output=True, text=True, cwd=cwd)


def read(path):
    with open(path) as f:
        return f.read()


def write(directory, name, text):
    path = os.path.join(directory, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idlc", required=True)
    idlc = os.path.abspath(parser.parse_args().idlc)

    with tempfile.TemporaryDirectory(prefix="idlc-cli-") as tmp:
        r = run(idlc, "--help", cwd=tmp)
        check("--help exits 0", r.returncode == 0, r.stderr)
        for option in ("Usage: idlc", "-I", "-D", "-o", "--emit", "--depfile"):
            check("--help lists %s" % option, option in r.stdout, r.stdout)

        r = run(idlc, cwd=tmp)
        check("no input: exit 64 (EX_USAGE)", r.returncode == 64, "exit %d" % r.returncode)
        check("no input: says the input is required", "input is required" in r.stderr, r.stderr)

        write(tmp, "good.idl", IFACE % "    long Add([in] long a, [in] long b);")
        r = run(idlc, "--emit=bogus", "good.idl", cwd=tmp)
        check("bad --emit: exit 64", r.returncode == 64, "exit %d" % r.returncode)

        r = run(idlc, "missing.idl", cwd=tmp)
        check("missing input: exit 1", r.returncode == 1, "exit %d" % r.returncode)
        check("missing input: one readable line",
              r.stderr == "idlc: error: cannot read 'missing.idl': no such file\n", repr(r.stderr))

        r = run(idlc, "good.idl", cwd=tmp)
        check("JSON on stdout without -o", r.returncode == 0 and r.stderr == "", r.stderr)
        model = json.loads(r.stdout)
        methods = [m["name"] for m in model["interfaces"][0]["methods"]]
        check("JSON has the interface and method", model["interfaces"][0]["name"] == "ICli" and methods == ["Add"],
              r.stdout[:500])

        r = run(idlc, "-o", "out/dir", "good.idl", cwd=tmp)
        out_path = os.path.join(tmp, "out", "dir", "good.json")
        check("-o DIR: exit 0, nothing on stdout", r.returncode == 0 and r.stdout == "", r.stdout + r.stderr)
        check("-o DIR: writes DIR/<stem>.json", os.path.isfile(out_path))
        if os.path.isfile(out_path):
            with open(out_path) as f:
                check("-o DIR: same model as stdout", json.load(f) == model)

        # The rendered diagnostic: header, the original line (tabs kept) and a
        # caret under the column; the summary line; exit 1.
        write(tmp, "bad.idl", IFACE % "\tvoid Put([in] Foo value);")
        r = run(idlc, "bad.idl", cwd=tmp)
        expected = ("bad.idl:4:16: error: unknown type 'Foo'\n"
                    "\tvoid Put([in] Foo value);\n"
                    "\t              ^\n"
                    "1 error generated.\n")
        check("error rendering with caret", r.stderr == expected, "got:\n%s\nwant:\n%s" % (r.stderr, expected))
        check("errors: exit 1", r.returncode == 1, "exit %d" % r.returncode)

        # Several errors in one run, each with its own caret.
        write(tmp, "two.idl", IFACE % "    void A([in] Foo a);\n    void B([out] long b);")
        r = run(idlc, "two.idl", cwd=tmp)
        check("two errors reported in one run", r.stderr.count(": error: ") == 2 and
              r.stderr.endswith("2 errors generated.\n"), r.stderr)

        # A diagnostic inside an #included file names that file and line.
        write(tmp, "inc/types.h", "typedef struct S\n{\n    long a;\n    Bar b;\n} S;\n")
        write(tmp, "uses_include.idl", '#include "types.h"\n' + IFACE % "    void Get([in] S *s);")
        r = run(idlc, "-I", "inc", "uses_include.idl", cwd=tmp)
        check("error in an #included file points into it",
              r.stderr.startswith("inc/types.h:4:5: error: unknown type 'Bar'\n    Bar b;\n    ^\n"), r.stderr)

        # -I finds imports; -D reaches the preprocessor.
        write(tmp, "lib/base.idl", "typedef long BASE_T;\n")
        write(tmp, "imports.idl", 'import "base.idl";\n' + IFACE % "    BASE_T Get(void);\n#ifdef WITH_EXTRA\n"
              "    void Extra(void);\n#endif")
        r = run(idlc, "imports.idl", cwd=tmp)
        check("import without -I: cannot find", r.returncode == 1 and "cannot find imported file 'base.idl'" in r.stderr,
              r.stderr)
        r = run(idlc, "-I", "lib", "imports.idl", cwd=tmp)
        check("-I finds the import", r.returncode == 0, r.stderr)
        if r.returncode == 0:
            names = [m["name"] for m in json.loads(r.stdout)["interfaces"][0]["methods"]]
            check("without -D the #ifdef part is out", names == ["Get"], str(names))
        r = run(idlc, "-I", "lib", "-D", "WITH_EXTRA", "imports.idl", cwd=tmp)
        if r.returncode == 0:
            names = [m["name"] for m in json.loads(r.stdout)["interfaces"][0]["methods"]]
            check("-D WITH_EXTRA adds the method", names == ["Get", "Extra"], str(names))
        else:
            check("-D WITH_EXTRA compiles", False, r.stderr)

        # An output directory that cannot be made is an error that says why,
        # for both back ends (a file stands where a directory is needed).
        write(tmp, "blocker", "not a directory\n")
        write(tmp, "plain.idl", IFACE % "    long Get(void);")
        for emit in ("cpp", "json"):
            r = run(idlc, "--emit=" + emit, "-o", "blocker/out", "plain.idl", cwd=tmp)
            check("-o under a file (%s): exit 1 with the reason" % emit,
                  r.returncode == 1 and r.stderr.startswith(
                      "idlc: error: cannot create output directory 'blocker/out': "), r.stderr)
        # --emit=json -o writes <stem>.json; --depfile works for it too.
        r = run(idlc, "--emit=json", "-o", "json_out", "--depfile", "json.d", "plain.idl", cwd=tmp)
        check("--emit=json -o writes plain.json",
              r.returncode == 0 and os.path.isfile(os.path.join(tmp, "json_out", "plain.json")),
              r.stderr)
        if r.returncode == 0:
            with open(os.path.join(tmp, "json.d")) as f:
                check("json depfile names plain.json and plain.idl",
                      f.read().startswith("json_out/plain.json: \\\n  plain.idl"), "")

        # The depfile lists every file read, also when imports come from
        # the import cache (a build system must still see the #includes).
        # Macros only: no location in the parsed file points into the header.
        write(tmp, "lib/base_types.h", "#define BASE_WORD long\n")
        write(tmp, "lib/dep_base.idl", '#include "base_types.h"\ntypedef BASE_WORD BASE_T;\n')
        write(tmp, "deps.idl", 'import "dep_base.idl";\n' + IFACE % "    BASE_T Get(void);")
        depfiles = []
        for run_index in range(3):
            dep = "deps%d.d" % run_index
            args = ["-I", "lib", "--emit=cpp", "-o", "gen", "--depfile", dep, "deps.idl"]
            if run_index > 0:
                args = ["--import-cache", "cache"] + args
            r = run(idlc, *args, cwd=tmp)
            check("depfile run %d compiles" % run_index, r.returncode == 0, r.stderr)
            with open(os.path.join(tmp, dep)) as f:
                depfiles.append(sorted(f.read().split()))
        r = run(idlc, "--import-cache", "cache", "--import-cache-stats", "-I", "lib", "--emit=none", "deps.idl",
                cwd=tmp)
        check("--import-cache-stats reports the warm run",
              r.stderr == "idlc: import cache cache: 2 hits, 0 misses, 0 stale, 0 rejected, 0 stored, "
                          "0 could not be stored\n", repr(r.stderr))
        write(tmp, "cache_is_a_file", "")
        r = run(idlc, "--import-cache", "cache_is_a_file", "--import-cache-stats", "-I", "lib", "--emit=none",
                "deps.idl", cwd=tmp)
        check("an unusable cache directory is not an error, and the stats say so",
              r.returncode == 0 and "2 could not be stored" in r.stderr, r.stderr)
        check("depfile names the #included header", "lib/base_types.h" in depfiles[0], str(depfiles[0]))
        check("depfile is the same with a cold and a warm import cache",
              depfiles[0] == depfiles[1] == depfiles[2], str(depfiles))

        # Windows-1252 bytes (common in real IDL) are read, not an internal error.
        with open(os.path.join(tmp, "latin1.idl"), "wb") as f:
            f.write(b'[uuid(6d5140c1-7436-11ce-8034-00aa006009fa), helpstring("caf\xe9")]\n'
                    b'interface ILatin { void F(void); }\n')
        r = subprocess.run([idlc, "latin1.idl"], capture_output=True, cwd=tmp)
        check("non-UTF-8 input compiles", r.returncode == 0 and r.stderr == b"", r.stderr.decode(errors="replace"))
        if r.returncode == 0:
            help_text = json.loads(r.stdout)["interfaces"][0]["attributes"]["helpstring"]
            check("a Latin-1 byte reads as that character", help_text == ["caf\u00e9"], str(help_text))

        # Pipe types reach the model as kind "pipe" with their element type
        # (in a [local] method: the generators do not remote pipes yet).
        write(tmp, "pipe.idl", "typedef pipe long LONG_PIPE;\n" + IFACE % "    [local] void Put([in] LONG_PIPE data);")
        r = run(idlc, "pipe.idl", cwd=tmp)
        check("pipe type compiles", r.returncode == 0, r.stderr)
        if r.returncode == 0:
            param = json.loads(r.stdout)["interfaces"][0]["methods"][0]["params"][0]
            check("pipe parameter in the model",
                  param["type"]["kind"] == "pipe" and param["type"]["element"]["base"] == "long", json.dumps(param))

        # What a remoted method cannot carry is an error whatever is
        # emitted: json, cpp and none accept exactly the same files.
        def every_emit_refuses(what, name, body, want):
            write(tmp, name, IFACE % body)
            for emit in ("json", "cpp", "none"):
                out = "out-%s-%s" % (name, emit)
                r = run(idlc, "--emit=" + emit, "-o", out, name, cwd=tmp)
                check("--emit=%s refuses %s" % (emit, what),
                      r.returncode == 1 and r.stderr.startswith(want + "\n"), "exit %d %s" % (r.returncode, r.stderr))
                check("--emit=%s writes nothing for it" % emit, not os.path.exists(os.path.join(tmp, out)))

        every_emit_refuses("a function pointer parameter", "callback.idl",
                           "    void Call([in] void (*callback)(long));",
                           "callback.idl:4:27: error: parameter 'callback' of 'Call': function pointers cannot be remoted")
        # Size expressions are bound in analysis too: a pointer named
        # without '*' is refused by every --emit, and a constant is folded.
        every_emit_refuses("a pointer in a size expression", "scope.idl",
                           "    void Get([in] long* n, [out, size_is(n)] long* v);",
                           "scope.idl:4:42: error: parameter 'v' of 'Get': 'n' is a pointer; size expressions need '*n'")
        write(tmp, "folded.idl", "const long N = 3;\n" + IFACE % "    void Put([in, size_is(N + 1)] long* v);")
        for emit in ("json", "cpp", "none"):
            r = run(idlc, "--emit=" + emit, "-o", "folded-" + emit, "folded.idl", cwd=tmp)
            check("--emit=%s accepts a constant in a size expression" % emit, r.returncode == 0, r.stderr)
        # sizeof(T*) is 8 (LP64) inside an expression that reads a
        # parameter too, as when the analyzer folds a whole one.
        write(tmp, "sizeof.idl", IFACE % "    void Put([in] long n, [in, size_is(n * sizeof(char*))] byte* v);")
        r = run(idlc, "--emit=cpp", "-o", "sizeof-out", "sizeof.idl", cwd=tmp)
        codec = read(os.path.join(tmp, "sizeof-out", "sizeof_ndr.cc")) if r.returncode == 0 else r.stderr
        check("sizeof(char*) is 8 beside a parameter",
              "stub::Mul(static_cast<std::int64_t>(n), static_cast<std::int64_t>(8))" in codec, codec[:2000])

        # Hostile nesting ends in one diagnostic, not a stack overflow; deep
        # legitimate nesting (300 parentheses; the corpus needs 9) still
        # compiles, in sanitizer builds too (their frames are larger, so the
        # stack budget holds about 500 levels there, 2,000 otherwise).
        for name, expr in (("parentheses", "(" * 100000 + "1" + ")" * 100000), ("unary", "-" * 100000 + "1"),
                           ("casts", "(long)" * 100000 + "1"), ("legit", "(" * 300 + "1" + ")" * 300)):
            write(tmp, "deep.idl", "const long x = %s;\n" % expr)
            r = run(idlc, "deep.idl", cwd=tmp)
            if name == "legit":
                check("300 nested parentheses compile", r.returncode == 0, r.stderr[:300])
            else:
                check("100,000 nested %s: exit 1 with a diagnostic" % name,
                      r.returncode == 1 and "error: nested too deeply" in r.stderr, "exit %d %s" % (r.returncode, r.stderr[:300]))

        # -E prints the preprocessed text with line markers.
        write(tmp, "pp.idl", "#define N 4\n\nconst long n = N;\n")
        r = run(idlc, "-E", "pp.idl", cwd=tmp)
        check("-E expands macros and marks lines", r.returncode == 0 and r.stdout == '# 3 "pp.idl"\nconst long n = 4;\n',
              repr(r.stdout) + r.stderr)

    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
