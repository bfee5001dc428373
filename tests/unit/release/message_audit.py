#!/usr/bin/env python3
"""Pins where a requester-visible message can come from on the release path (issue 10).

A release reads the private data only inside release::RunRelease, and every error raised there
is replaced by RaiseIncident's fixed messages. This script reads release/*.cc and fails when
that structure is broken:
  1. every `throw` in release/ sits in a function that runs before the data is opened (the
     allow-list below, each a check of public inputs or of the registration) or in
     RaiseIncident, whose messages are built only from fixed text, an incident reference and
     the release id;
  2. the calls that read or compute on the private table (EncodeDataset, BoundRowsPerUnit,
     the request's compute) appear only inside RunRelease's try blocks (and EncodeDataset in
     RegisterDataset, the officer's command, whose full messages are the point);
  3. no message in release/ is built with a number formatted from a variable other than the
     request's own parameters and public ledger quantities (allow-listed names).
Checked to fail on three mutants of release_pipeline.cc: the detail appended to the
requester's message; a throw in RunRelease that prints the table's row count; EncodeDataset
moved out of its try block.
Usage: message_audit.py SOURCE_DIR. Exit 0 when the structure holds, 1 with the reasons.
"""
import pathlib
import re
import sys

PRE_DATA_FUNCTIONS = {
    # release_pipeline.cc: request fields, registration, ledger mode, lock, key, output folder
    "RequirePrintableLine", "CheckRequestFields", "RequireRegistration",
    "RequireRegisteredInputs", "RequireUnchangedSources", "RequestedDatasetId", "PrepareRelease",
    # release_pipeline.cc: a database source answers only releases made of counts (issue 15)
    "RequireReadableSource",
    # synthesize_release.cc: rows and the plan, from public inputs only
    "CheckRows", "PlanSynthesis",
    # plan_inputs.cc: a --plan's config and delta, from the request and the ledger; no data read
    "ResolvePlanInputs",
    # registration.cc: the officer's command (full messages by design)
    "ConfigDigest", "RegisterDataset",
    # output_dir.cc: the --out folder, claimed before the data is read
    "RequireFreshOutputDir", "StagedOutputDir", "Commit",
    # pending_outcome.cc: the outcome marker beside the ledger, written before the charge
    "PendingOutcome",
    # incident_log.cc: the officer's log
    "ThrowUnwritable", "ParseIncidents", "Incidents", "Record",
    # sample_release.cc: post-processing of a released model; reads no private data at all
    "ReadFile", "VerifiedParent", "SampleModel",
    # unit_bound_release.cc: whether the registered config names a unit column
    "RequireUnitColumn",
}
INCIDENT_FUNCTION = "RaiseIncident"
# Functions whose throws run only inside a request's compute step, so RunRelease turns each of
# their errors into an incident (the requester never sees the text).
INSIDE_COMPUTE = {"WriteReleaseFile", "Synthesize"}
# Calls that touch the private table, and the functions allowed to make them.
DATA_CALLS = {
    "EncodeDataset(": {"RunRelease", "RegisterDataset"},
    "BoundRowsPerUnit(": {"RunRelease"},
    "compute(": {"RunRelease"},
    "PostgresMarginalSource::Open(": {"RunRelease", "RegisterDataset"},
    "from_counts(": {"RunRelease"},
}
# Numbers a message may print: the request's parameters and public ledger quantities.
PUBLIC_NUMBERS = {"delta", "budget.delta", "registration.entry_id", "open_incidents",
                  "kMaxSyntheticRows", "line_number", "registration.max_failures"}


def functions(text):
    """Yields (name, body, start line) for each top-level or namespace-level function."""
    pattern = re.compile(r"^[\w:<>,\s\*&\[\]]*?\b([A-Za-z_]\w*)\s*\([^;{]*?\)\s*(?:const\s*)?"
                         r"(?:noexcept\s*)?(?::[^{;]*)?\{", re.M | re.S)
    position = 0
    while True:
        match = pattern.search(text, position)
        if not match:
            return
        depth, index = 1, match.end()
        while depth and index < len(text):
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            index += 1
        name = match.group(1)
        if name in ("if", "for", "while", "switch", "catch", "namespace"):
            position = match.end()
            continue
        yield name, text[match.end():index], text.count("\n", 0, match.start()) + 1
        position = index


def main(source_dir):
    problems = []
    for path in sorted(pathlib.Path(source_dir, "release").glob("*.cc")):
        text = path.read_text()
        for name, body, line in functions(text):
            where = f"{path.name}:{line} {name}"
            throws = re.findall(r"\bthrow\b[^;]*;", body)
            allowed_to_throw = PRE_DATA_FUNCTIONS | INSIDE_COMPUTE | {INCIDENT_FUNCTION}
            if throws and name not in allowed_to_throw:
                problems.append(f"{where}: throws but is not a pre-data check: {throws[0][:80]}")
            if name == INCIDENT_FUNCTION:
                for statement in throws:
                    if not re.fullmatch(r"throw (InputError|StorageError|Error)\(message\);",
                                        statement.strip()):
                        problems.append(f"{where}: throws something other than its message")
                after = re.sub(r'"(?:[^"\\]|\\.)*"', '""', body.split("std::string message")[1])
                if re.search(r"\bdetail\b", after):
                    problems.append(f"{where}: the requester's message uses the detail")
            for call, allowed in DATA_CALLS.items():
                if call in body and name not in allowed:
                    problems.append(f"{where}: calls {call[:-1]} outside {sorted(allowed)}")
            if name == "RunRelease":
                for call in ("EncodeDataset(", "BoundRowsPerUnit(", "compute(",
                             "PostgresMarginalSource::Open(", "from_counts("):
                    for match in re.finditer(re.escape(call), body):
                        before = body[:match.start()]
                        if before.count("try {") <= before.count("} catch"):
                            problems.append(f"{where}: {call[:-1]} is outside a try block")
            messages = " ".join(throws + re.findall(r"message[^;]*;", body))
            for number in re.findall(r"(?:std::to_string|FormatNumber)\(([^,)]*)", messages):
                if number.strip() not in PUBLIC_NUMBERS:
                    problems.append(f"{where}: formats {number.strip()!r} into a message")
    if problems:
        print("\n".join(problems))
        return 1
    print("release/ messages: every throw is a pre-data check or an incident")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
