"""Break each promise on purpose and check that its tests notice (`make mutate`).

Every MUTATION is a named find-and-replace in one source file, made in a temporary copy of
the tree (src/, tests/, migrations/ and what pytest needs; the checkout itself is never
changed). For each database the mutation applies to, only the tests that hold that promise
run, against the mutated copy; the mutation is *killed* when at least one of them fails, and
*survives* when they all pass. A find string must match exactly once: when the code has
changed so that a mutation no longer applies, the script says which and stops, rather than
test unmutated code.

First the selected tests run on the unmutated copy (the baseline): a test that fails without
a mutation proves nothing by failing with one.

Exit status: 0 when every mutation is killed on every database it applies to, 1 when one
survives (or its tests could not run), 2 when a mutation no longer applies or the baseline
fails. Prints a Markdown table: mutation, database, tests, outcome, seconds.

    .venv/bin/python scripts/mutate.py [--only NAME ...] [--database sqlite|postgresql] [--rev REV]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What a test run needs from the checkout.
TREE = ("src", "tests", "migrations", "pyproject.toml", "alembic.ini")
DATABASES = ("sqlite", "postgresql")
RUN_SECONDS = 900

# Why a mutation cannot be told apart from the real code on SQLite: there a write
# transaction begins with BEGIN IMMEDIATE, so it holds the database's one write lock from its
# first statement, across processes too; the row and pair locks of PostgreSQL are no-ops on
# SQLite (patron.db.locking only checks that lock is held).
SQLITE_WRITES_ONE_AT_A_TIME = (
    "SQLite: every write transaction holds the database's single write lock from its first "
    "statement (BEGIN IMMEDIATE), in any number of processes, so the mutant reads and writes "
    "under that lock exactly as the real code does; the lock it removes is a no-op there"
)


@dataclass(frozen=True)
class Mutation:
    name: str
    # The promise it breaks, in a few words.
    breaks: str
    path: str
    # (find, replace) pairs; each find must occur exactly once in the file.
    edits: tuple[tuple[str, str], ...]
    # pytest arguments per database: the tests that hold the promise.
    tests: dict[str, tuple[str, ...]]
    # Databases the mutation does not apply to, with the reason.
    not_applicable: dict[str, str] = field(default_factory=dict)


def _on(database: str, *paths: str, also: str = "") -> tuple[str, ...]:
    """The tests of `paths` that run on `database` (by their parameter id), and those matching
    the pytest keyword expression `also` (tests that run on one database only, unparametrised)."""
    expression = f"{database} or ({also})" if also else database
    return (*paths, "-k", expression)


def _both(*paths: str) -> dict[str, tuple[str, ...]]:
    return {database: _on(database, *paths) for database in DATABASES}


MUTATIONS = (
    Mutation(
        name="redeem-validates-before-lock",
        breaks="redemption exactly once",
        path="src/patron/promotions/_redeem.py",
        edits=(
            (
                "    found = await _lock_within_deadline(session, assignment_id, started)\n"
                "    # Everything below reads state under the lock.\n",
                "    unlocked = await session.get(PromotionAssignment, assignment_id)\n"
                "    found = None if unlocked is None else "
                "(unlocked, await session.get(Promotion, unlocked.promotion_id))\n",
            ),
            (
                "    if refused is not None:\n        raise refused\n    assignment.redeemed_on = clock.now()\n",
                "    if refused is not None:\n        raise refused\n"
                "    await _lock_within_deadline(session, assignment_id, started)\n"
                "    assignment.redeemed_on = clock.now()\n",
            ),
        ),
        tests={
            "postgresql": _on(
                "postgresql",
                "tests/promotions/test_redeem_concurrency.py",
                "tests/reliability/test_races_across_processes.py::"
                "test_fifty_concurrent_redeems_across_processes_make_one_redemption",
            )
        },
        not_applicable={"sqlite": SQLITE_WRITES_ONE_AT_A_TIME},
    ),
    Mutation(
        name="small-batch-without-lock",
        breaks="rewards paid once, counts exact (small batches and receipts)",
        path="src/patron/challenges/checkpoints.py",
        edits=(
            (
                '    """A small batch: lock, read, work out, write."""\n'
                "    await batch_store.lock_pairs(session, by_pair)\n",
                '    """A small batch: lock, read, work out, write."""\n',
            ),
        ),
        tests={
            "postgresql": _on(
                "postgresql", "tests/challenges/test_small_batch_race.py", also="across_processes"
            )
        },
        not_applicable={"sqlite": SQLITE_WRITES_ONE_AT_A_TIME},
    ),
    Mutation(
        name="answer-before-commit",
        breaks="durable acknowledged writes",
        path="src/patron/api/boundary.py",
        edits=(
            (
                "                    await self._store(unit, held, status, start, body)\n"
                "                await unit.commit()\n",
                "                    await self._store(unit, held, status, start, body)\n"
                "                await send(start)\n"
                '                await send({"type": "http.response.body", "body": body})\n'
                "                start = None\n"
                "                await unit.commit()\n",
            ),
            (
                "            await unit.close()\n"
                "        await send(start)\n"
                '        await send({"type": "http.response.body", "body": body})\n',
                "            await unit.close()\n"
                "        if start is not None:\n"
                "            await send(start)\n"
                '            await send({"type": "http.response.body", "body": body})\n',
            ),
        ),
        tests=_both(
            "tests/reliability/test_commit_fails.py",
            "tests/reliability/test_exit_between_commit_and_answer.py",
        ),
    ),
    Mutation(
        name="erase-keeps-personal-data",
        breaks="erasure erases",
        path="src/patron/contacts/service.py",
        edits=(
            (
                "    contact.attributes = {}\n    contact.preferences = {}\n    contact.consents = []\n",
                "",
            ),
        ),
        tests=_both("tests/contacts/test_erasure.py"),
    ),
    Mutation(
        name="receipt-fingerprint-ignored",
        breaks="a uniqueReceiptId is one receipt (a changed body is refused, not replayed)",
        path="src/patron/receipts/service.py",
        edits=(
            (
                "        if existing.receipt.fingerprint != print_:\n",
                "        if False:  # the fingerprint is not compared\n",
            ),
        ),
        tests=_both("tests/receipts/test_unique_receipt_id.py"),
    ),
)


class NoLongerApplies(Exception):
    pass


def mutated(text: str, mutation: Mutation) -> str:
    for find, replace in mutation.edits:
        found = text.count(find)
        if found != 1:
            raise NoLongerApplies(
                f"{mutation.name}: {mutation.path} contains its find string {found} times, not once:\n{find}"
            )
        text = text.replace(find, replace)
    return text


def copy_tree(destination: Path, rev: str | None) -> None:
    if rev is None:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache")
        for name in TREE:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, destination / name, ignore=ignore)
            else:
                shutil.copy2(source, destination / name)
        return
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, *TREE], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(destination)], input=archive.stdout, check=True)


def environment(tree: Path) -> dict[str, str]:
    """The tests import the copy's `patron` and `tests` (and `patron serve` runs the copy)."""
    return {**os.environ, "PYTHONPATH": str(tree / "src") + os.pathsep + str(tree)}


def check_imports_the_copy(tree: Path) -> None:
    found = subprocess.run(
        [sys.executable, "-c", "import patron, tests; print(patron.__file__); print(tests.__file__)"],
        cwd=tree,
        env=environment(tree),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not all(Path(path).is_relative_to(tree) for path in found):
        raise SystemExit(f"the copy would test the checkout, not itself: {found}")


@dataclass
class Run:
    ran: int
    failed: list[str]
    errors: list[str]
    skipped: int
    seconds: float
    status: int
    output: str


def run_tests(tree: Path, arguments: Sequence[str], report: Path) -> Run:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        f"--junitxml={report}",
        "-o",
        "junit_family=xunit1",
        *arguments,
    ]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command,
            cwd=tree,
            env=environment(tree),
            capture_output=True,
            text=True,
            timeout=RUN_SECONDS,
        )
        status, output = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as timeout:
        partial = timeout.stdout or b""
        text = partial.decode(errors="replace") if isinstance(partial, bytes) else partial
        status, output = -1, f"timed out after {RUN_SECONDS}s\n{text}"
    seconds = time.monotonic() - started
    failed, errors, ran, skipped = [], [], 0, 0
    if report.exists():
        for case in ElementTree.parse(report).getroot().iter("testcase"):
            name = f"{case.get('file') or case.get('classname')}::{case.get('name')}"
            if case.find("skipped") is not None:
                skipped += 1
                continue
            ran += 1
            if case.find("failure") is not None:
                failed.append(name)
            elif case.find("error") is not None:
                errors.append(name)
        report.unlink()
    return Run(ran, failed, errors, skipped, seconds, status, output)


def verdict(run: Run) -> str:
    if run.failed:
        return "killed"
    if run.errors or run.status not in (0, 1) or run.ran == 0 or run.skipped:
        return "error"
    return "survived"


def describe(arguments: Sequence[str]) -> str:
    paths = [argument.split("::")[0].removeprefix("tests/") for argument in arguments if "/" in argument]
    return ", ".join(dict.fromkeys(paths))


def drop_bytecode(path: Path) -> None:
    """A mutant's bytecode must not outlive it (same size and second as the original)."""
    for compiled in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        compiled.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=[m.name for m in MUTATIONS], help="this mutation")
    parser.add_argument("--database", action="append", choices=DATABASES, help="this database only")
    parser.add_argument("--rev", help="test this git revision instead of the working tree")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run on unmutated code")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the output of every run")
    options = parser.parse_args()
    mutations = [m for m in MUTATIONS if not options.only or m.name in options.only]
    databases = options.database or list(DATABASES)

    with tempfile.TemporaryDirectory(prefix="patron-mutate-") as temporary:
        tree = Path(temporary)
        copy_tree(tree, options.rev)
        check_imports_the_copy(tree)
        report = tree / "report.xml"
        originals = {m.path: (tree / m.path).read_text() for m in mutations}
        try:
            mutants = {m.name: mutated(originals[m.path], m) for m in mutations}
        except NoLongerApplies as exc:
            print(f"a mutation no longer applies, the code has changed: {exc}", file=sys.stderr)
            return 2

        if not options.no_baseline:
            for database in databases:
                # One run per mutation's selection: their -k expressions differ.
                for mutation in mutations:
                    if database not in mutation.tests:
                        continue
                    run = run_tests(tree, mutation.tests[database], report)
                    if verdict(run) != "survived":
                        print(run.output, file=sys.stderr)
                        print(
                            f"baseline: the tests of {mutation.name} on {database} do not pass unmutated "
                            f"({run.ran} ran, {len(run.failed)} failed, {len(run.errors)} errors, "
                            f"{run.skipped} skipped)",
                            file=sys.stderr,
                        )
                        return 2
                    print(
                        f"baseline {mutation.name} {database}: {run.ran} passed, {run.seconds:.1f}s",
                        flush=True,
                    )

        rows: list[tuple[str, str, str, str, str]] = []
        notes: list[str] = []
        survived = False
        for mutation in mutations:
            target = tree / mutation.path
            for database in databases:
                if database in mutation.not_applicable:
                    rows.append((mutation.name, database, "-", "not applicable", "-"))
                    notes.append(f"{mutation.name} on {database}: {mutation.not_applicable[database]}")
                    continue
                target.write_text(mutants[mutation.name])
                try:
                    run = run_tests(tree, mutation.tests[database], report)
                finally:
                    target.write_text(originals[mutation.path])
                    drop_bytecode(target)
                outcome = verdict(run)
                survived |= outcome != "killed"
                tests = f"{describe(mutation.tests[database])}: {len(run.failed)} of {run.ran} failed"
                rows.append((mutation.name, database, tests, outcome, f"{run.seconds:.1f}"))
                if run.failed:
                    names = ", ".join(
                        dict.fromkeys(name.split("::")[-1].split("[")[0] for name in run.failed)
                    )
                    notes.append(f"{mutation.name} on {database}: failed {names}")
                if outcome != "killed" or options.verbose:
                    print(run.output, file=sys.stderr)
                print(f"{mutation.name} {database}: {outcome} ({run.seconds:.1f}s)", flush=True)

    print()
    print("| mutation | database | tests run | outcome | seconds |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    for note in notes:
        print(f"- {note}")
    if survived:
        print("\nA mutation survived (or its tests did not run): the promise it breaks is not tested.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
