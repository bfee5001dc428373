#!/usr/bin/env python3
"""Runs every `$ privet ...` example of docs/*.md and compares its output's shape with the doc.

usage: docs_commands_test.py PRIVET SOURCE_DIR [--rewrite] [--verbose] [DOC.md ...]

What counts as an example: a fenced code block holding at least one line `$ privet ...`. Every
`$ ` line of such a block is run (also `$ cat ...` and the like: they show a released file), in
order, by bash, in a scratch deployment made per doc: a temporary folder holding copies of
configs/ and data/ (the shipped demo data), a signing key in privet-keys/ (`privet keygen`),
and `privet` on PATH. A command continues on the next line after a trailing backslash; the
lines after it, up to the next `$ ` line, are its expected output (stdout, then stderr).

The doc steers the test with HTML comments (invisible on the rendered page), placed between the
prose and the block they apply to:

  <!-- docs-test: skip REASON -->      the block cannot run here (it needs a running server,
                                       say); it is counted and the count printed
  <!-- docs-test: setup                shell lines run (bash -e) in the deployment before the
  LINES                                block, to make the state the example starts from (the
  -->                                  releases a budget listing shows, a tampered copy of the
                                       ledger); a `cd` in them moves the following commands
  <!-- docs-test: prefix SHELL -->     SHELL runs before each command of the block in the same
                                       shell (a file size limit, to show a failed release)

The SHAPE is compared, not the values: absolute paths, hex digests and ids (8 or more hex
digits) and numbers are masked, and runs of blanks are one blank. A doc line `...` stands for
any number of lines. When the doc's output is JSON (starts with `{` or `[`), every key the doc
shows must be in the real output, and when the doc elides nothing (no `...`) the key sets are
equal. A command must exit 0 unless the doc shows an error for it (a line starting
`privet: `), and then must exit non-zero. An id the doc shows (an incident id, say) stands for
the real run's id in the doc's later commands.

A failure names the doc file and line. Exit 0 when every example matched, 1 otherwise.

--rewrite (for whoever updates the docs) replaces, in the doc files, the output of every
example whose shape drifted by the real run's output, unless it is JSON or elides lines with
`...` (those are shortened by hand): review the diff, since a drift may be a bug in privet.
--verbose prints every command's real output.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

COMMAND_TIMEOUT_S = 120

DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(skip|setup|prefix)\b(.*?)-->", re.S)
# Masks, applied in this order. A path is a run of non-blank characters after a slash that
# starts a word (so "a/b" in prose stays, "/tmp/x/privet-ledger.db" goes).
PATH = re.compile(r"(?<![\w.~-])/[^\s,;()'\"`]+")
# 8 or more hex digits, not the fraction of a decimal ("0.01318981489" is a number): a digest
# or an id, whichever digits it happens to draw (an incident id may be all decimal digits).
HEX = re.compile(r"(?<![\w.])[0-9a-f]{8,}(?!\w|\.\d)")
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
BLANKS = re.compile(r"\s+")
JSON_KEY = re.compile(r"\"((?:[^\"\\]|\\.)+)\"\s*:")


def mask(line):
    line = PATH.sub("<path>", line)
    line = HEX.sub("<hex>", line)
    line = line.replace("<hex>-modified", "<hex>")  # the build's commit, from a dirty tree or not
    line = NUMBER.sub("N", line)
    return BLANKS.sub(" ", line).strip()


class Example:
    """One `$ ` command of a doc: where it is, what it runs, what the doc shows it printing."""

    def __init__(self, doc, line, command):
        self.doc = doc
        self.line = line  # 1-based line of the `$ ` in the doc
        self.command = command
        self.last_line = line  # the command's last line (after continuations)
        self.expected = []  # (doc line number, text)


class Block:
    def __init__(self, doc, line):
        self.doc = doc
        self.line = line  # the opening fence
        self.examples = []
        self.skip = None  # reason
        self.setup = []  # (doc line of the directive, shell text)
        self.prefix = ""


def parse(doc_path, name):
    """The blocks of one doc that hold a `$ privet` command, with the directives before each."""
    text = open(doc_path, encoding="utf-8").read()
    lines = text.split("\n")
    # Directives by the line where they end; each applies to the next block after it.
    directives = []
    for m in DIRECTIVE.finditer(text):
        start = text.count("\n", 0, m.start()) + 1
        end = text.count("\n", 0, m.end()) + 1
        directives.append((end, start, m.group(1), m.group(2)))
    blocks = []
    in_block = False
    block = None
    current = None
    pending = []
    used = 0
    i = 0
    while i < len(lines):
        raw = lines[i]
        number = i + 1
        if raw.startswith("```"):
            if not in_block:
                in_block = True
                block = Block(name, number)
                while used < len(directives) and directives[used][0] < number:
                    pending.append(directives[used])
                    used += 1
                current = None
            else:
                in_block = False
                if any(e.command.startswith("privet ") for e in block.examples):
                    for _, start, kind, body in pending:
                        if kind == "skip":
                            block.skip = body.strip() or "no reason given"
                        elif kind == "setup":
                            block.setup.append((start, body.strip("\n")))
                        else:
                            block.prefix += body.strip() + " "
                    pending = []
                    blocks.append(block)
                elif pending:
                    raise SystemExit(f"FAIL: {name}:{pending[0][1]}: a docs-test comment before a "
                                     f"block with no `$ privet` command (line {number})")
                block = None
            i += 1
            continue
        if in_block:
            if raw.startswith("$ "):
                command = raw[2:]
                while command.endswith("\\") and i + 1 < len(lines):
                    i += 1
                    command = command[:-1].rstrip() + " " + lines[i].strip()
                current = Example(name, number, command)
                current.last_line = i + 1
                block.examples.append(current)
            elif current is not None:
                current.expected.append((number, raw))
        i += 1
    if pending:
        raise SystemExit(f"FAIL: {name}:{pending[0][1]}: a docs-test comment after the last block")
    return blocks


def compare_json(expected, actual_text):
    """None when every key the doc shows is in the real JSON (and no more, when nothing is
    elided); else what differs."""
    try:
        actual = json.loads(actual_text)
    except ValueError as error:
        return f"the output is not JSON ({error})"
    keys = set()

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                keys.add(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(actual)
    shown = {}
    elided = False
    for number, text in expected:
        if "..." in text:
            elided = True
        for key in JSON_KEY.findall(text):
            shown.setdefault(key, number)
    missing = [(n, k) for k, n in shown.items() if k not in keys]
    if missing:
        return "; ".join(f"line {n}: key \"{k}\" is not in the output" for n, k in sorted(missing))
    if not elided:
        extra = sorted(keys - set(shown))
        if extra:
            return f"keys in the output that the doc does not show: {', '.join(extra)}"
    return None


def compare_lines(expected, actual_lines, bindings):
    """None when the masked lines match (`...` = any lines); else (doc line, wanted, got).
    Records in `bindings` the real value of each hex id the doc shows."""
    want = expected
    got = actual_lines

    def bind(doc_text, real_text):
        doc_ids = HEX.findall(doc_text)
        real_ids = HEX.findall(real_text)
        if len(doc_ids) == len(real_ids):
            for d, r in zip(doc_ids, real_ids):
                bindings.setdefault(d, r)

    # Match with backtracking over `...` (few per block, short outputs).
    def match(wi, gi):
        if wi == len(want):
            return None if gi == len(got) else (None, "(end of the doc's output)", got[gi])
        number, text = want[wi]
        if text.strip() == "...":
            best = None
            for skip in range(gi, len(got) + 1):
                result = match(wi + 1, skip)
                if result is None:
                    return None
                if best is None:
                    best = result
            return best
        if gi == len(got):
            return (number, text, "(end of the real output)")
        if mask(text) != mask(got[gi]):
            return (number, text, got[gi])
        result = match(wi + 1, gi + 1)
        if result is None:
            bind(text, got[gi])
        return result

    return match(0, 0)


def scratch_deployment(privet, source, root, name):
    """A fresh folder for one doc: copies of configs/ and data/, `privet` in bin/."""
    folder = os.path.join(root, os.path.splitext(name)[0])
    os.makedirs(os.path.join(folder, "bin"))
    os.symlink(privet, os.path.join(folder, "bin", "privet"))
    shutil.copytree(os.path.join(source, "configs"), os.path.join(folder, "configs"))
    shutil.copytree(os.path.join(source, "data"), os.path.join(folder, "data"))
    return folder


def environment(folder):
    """The caller's environment without privet's variables or the user name (a requester
    defaults to $USER; the docs show "unknown"), bin/ first on PATH, UTC."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PRIVET_") and k not in ("USER", "LOGNAME")}
    env["PATH"] = os.path.join(folder, "bin") + os.pathsep + env.get("PATH", "/usr/bin:/bin")
    env["TZ"] = "UTC"
    env["LC_ALL"] = "C.UTF-8"
    return env


def run_shell(script, cwd, env):
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=COMMAND_TIMEOUT_S)


class Run:
    """What running the docs found: counts, failures, and the outputs --rewrite puts back."""

    def __init__(self, rewrite, verbose):
        self.rewrite = rewrite
        self.verbose = verbose
        self.ran = 0
        self.skipped = 0
        self.failures = []
        self.rewrites = {}  # doc name -> [(first line, last line, new lines)], 1-based


def check_example(run, name, example, result, folder, bindings):
    """Compares one command's exit and output with the doc; records a failure (and, with
    --rewrite, the real output) when they differ."""
    expected = list(example.expected)
    while expected and not expected[-1][1].strip():
        expected.pop()
    actual = (result.stdout + result.stderr).rstrip("\n")
    actual_lines = actual.split("\n") if actual else []
    where = f"{name}:{example.line}: $ {example.command}"
    wants_error = any(text.startswith("privet: ") for _, text in expected)
    if wants_error != (result.returncode != 0):
        run.failures.append(
            f"{where}\n  exit {result.returncode}, but the doc shows "
            f"{'an error' if wants_error else 'no error'}; output:\n    "
            + "\n    ".join(actual_lines[-8:]))
        return
    if expected and expected[0][1].lstrip()[:1] in ("{", "["):
        problem = compare_json(expected, result.stdout)
        if problem:
            run.failures.append(f"{where}\n  {problem}")
        return
    mismatch = compare_lines(expected, actual_lines, bindings)
    if not mismatch:
        return
    number, want, got = mismatch
    at = f"{name}:{number}" if number else f"{name}:{example.line}"
    run.failures.append(
        f"{where}\n  {at}: the doc shows\n    {want}\n  the run printed\n    {got}\n"
        "  (whole output:)\n    " + "\n    ".join(actual_lines))
    if run.rewrite and not any(text.strip() == "..." for _, text in expected):
        first = example.last_line + 1
        last = expected[-1][0] if expected else example.last_line
        # The scratch folder's name changes every run: the docs show /srv/privet instead.
        shown = [line.replace(folder, "/srv/privet") for line in actual_lines]
        run.rewrites.setdefault(name, []).append((first, last, shown))


def run_doc(run, privet, source, root, name, blocks):
    """Runs one doc's examples, in order, in a scratch deployment of its own."""
    folder = scratch_deployment(privet, source, root, name)
    env = environment(folder)
    keygen = run_shell("privet keygen", folder, env)
    if keygen.returncode != 0:
        raise SystemExit(f"FAIL: privet keygen: {keygen.stderr}")
    cwd = folder
    bindings = {}  # an id the doc shows -> the real run's
    started = time.monotonic()
    for block in blocks:
        if block.skip:
            run.skipped += 1
            print(f"skip {name}:{block.line}: {block.skip}")
            continue
        broken = False
        for start, body in block.setup:
            result = run_shell("set -e\n" + body + "\npwd", cwd, env)
            if result.returncode != 0:
                run.failures.append(f"{name}:{start}: the docs-test setup failed (exit "
                                    f"{result.returncode}): {result.stderr.strip()}")
                broken = True
                break
            cwd = result.stdout.strip().split("\n")[-1]
        if broken:
            continue
        for example in block.examples:
            command = example.command
            for doc_id, real_id in bindings.items():
                command = command.replace(doc_id, real_id)
            result = run_shell(block.prefix + command, cwd, env)
            run.ran += 1
            if run.verbose:
                print(f"{name}:{example.line}: $ {command}\n  "
                      + "\n  ".join((result.stdout + result.stderr).rstrip("\n").split("\n")))
            check_example(run, name, example, result, folder, bindings)
    print(f"{name}: ran to the end in {time.monotonic() - started:.1f} s")


def main():
    if len(sys.argv) < 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    privet = os.path.abspath(sys.argv[1])
    source = os.path.abspath(sys.argv[2])
    docs_dir = os.path.join(source, "docs")
    rest = sys.argv[3:]
    run = Run(rewrite="--rewrite" in rest, verbose="--verbose" in rest)
    names = [a for a in rest if a not in ("--rewrite", "--verbose")]
    names = names or sorted(n for n in os.listdir(docs_dir) if n.endswith(".md"))
    root = tempfile.mkdtemp(prefix="privet-docs-")
    started = time.monotonic()
    try:
        for name in names:
            blocks = parse(os.path.join(docs_dir, name), name)
            if blocks:
                run_doc(run, privet, source, root, name, blocks)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for name, changes in run.rewrites.items():
        path = os.path.join(docs_dir, name)
        lines = open(path, encoding="utf-8").read().split("\n")
        for first, last, new_lines in sorted(changes, reverse=True):
            lines[first - 1:last] = new_lines
        open(path, "w", encoding="utf-8").write("\n".join(lines))
        print(f"rewrote {len(changes)} example output(s) in {path}")
    for failure in run.failures:
        print("FAIL: " + failure, file=sys.stderr)
    print(f"{run.ran} doc command(s) run, {run.skipped} example block(s) skipped (marked in the "
          f"docs), {len(run.failures)} failure(s), {time.monotonic() - started:.1f} s")
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
