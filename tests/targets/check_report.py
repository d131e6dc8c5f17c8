"""Checks a `softfido matrix --target` report: the run completed, and what it found is what
docs/ says it finds.

  python tests/targets/check_report.py target/target-allauth --tokens-carry-no amr,acr

Fails (exit 1) when a scenario ended in a harness error (the run did not complete: a step timed
out, the IdP, the browser or the driver broke, which is not a finding about the IdP), when no
scenario got a token (the sign-in path itself is broken), when a token carries a claim that
--tokens-carry-no says the IdP never emits, or when the counts differ from --expect-passed /
--expect-failed (the documented findings no longer hold: update the target's report in
docs/targets/).
"""
import argparse
import json
import sys
from collections import Counter
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report_dir", type=Path)
    parser.add_argument("--tokens-carry-no", default="", help="comma-separated claims (amr, acr)")
    parser.add_argument("--expect-passed", type=int, help="the documented count agreeing with the oracle")
    parser.add_argument("--expect-failed", type=int, help="the documented count of findings")
    args = parser.parse_args()
    report = json.loads((args.report_dir / "matrix.json").read_text())
    scenarios = report["scenarios"]
    problems = []
    broken = [s for s in scenarios if (s["actual"]["error"] or "").startswith("harness:")]
    for s in broken[:10]:
        problems.append(f"{s['id']}: the run broke: {s['actual']['error']}")
    tokens = [s for s in scenarios if s["actual"]["outcome"] == "token"]
    if not tokens:
        problems.append("no scenario got a token: the sign-in path is broken")
    absent = [claim.strip() for claim in args.tokens_carry_no.split(",") if claim.strip()]
    for s in tokens:
        for claim in absent:
            value = s["actual"][claim]
            if value not in (None, []):
                problems.append(f"{s['id']}: the token carries {claim}={value}, which the documented finding says it never does")
    summary = report["summary"]
    for key, documented in (("passed", args.expect_passed), ("failed", args.expect_failed)):
        if documented is not None and summary[key] != documented:
            problems.append(f"{summary[key]} scenarios {key}, where the documented report says {documented}")
    outcomes = Counter(s["actual"]["outcome"] for s in scenarios)
    print(f"{len(scenarios)} scenarios: {dict(outcomes)}; {report['summary']['passed']} agree with the oracle, "
          f"{report['summary']['failed']} do not")
    for problem in problems[:20]:
        print(f"  ✗ {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
