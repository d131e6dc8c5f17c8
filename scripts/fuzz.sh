#!/usr/bin/env bash
# Builds and runs every fuzz target under fuzz/ for SECONDS_PER_TARGET seconds (default 60),
# one after the other, and prints each target's executions and coverage from libFuzzer's final
# statistics. Installs cargo-fuzz if missing. The inputs of fuzz/regressions/<target>/ are
# replayed first; a crash stops the script with a nonzero status and the input is kept under
# fuzz/artifacts/<target>/ (see docs/fuzzing.md).
#
# cargo-fuzz passes nightly-only flags (-Zsanitizer=address and friends); RUSTC_BOOTSTRAP=1
# lets the stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
targets=(ctap2_request ctaphid_assembler authenticator_session rp_authenticator_data oidc_params)
work=${FUZZ_WORK:-fuzz/work}
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

echo "== building the fuzz targets"
cargo fuzz build

summary=()
for target in "${targets[@]}"; do
  regressions=(fuzz/regressions/"$target"/*)
  if [[ -e ${regressions[0]} ]]; then
    echo "== $target: replaying ${#regressions[@]} regression inputs"
    cargo fuzz run "$target" "${regressions[@]}" -- -runs=1 >/dev/null 2>&1 \
      || { echo "$target: a regression input fails again"; exit 1; }
  fi
  echo "== $target: fuzzing for ${seconds}s"
  mkdir -p "$work/corpus/$target" "$work/logs"
  log="$work/logs/$target.log"
  # The first corpus directory receives new inputs; the committed seeds are only read.
  status=0
  cargo fuzz run "$target" "$work/corpus/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1 || status=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+' || true)
  ft=$(grep -oE 'ft: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+' || true)
  corpus=$(find "$work/corpus/$target" "fuzz/corpus/$target" -type f | wc -l)
  summary+=("$(printf '%-24s %12s %8s %7s %7s %7s' "$target" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$corpus")")
  if [[ $status -ne 0 ]]; then
    echo "$target: crashed (status $status); see $log and fuzz/artifacts/$target/"
    tail -n 40 "$log"
    exit 1
  fi
done

echo
printf '%-24s %12s %8s %7s %7s %7s\n' target executions exec/s cov ft corpus
printf '%s\n' "${summary[@]}"
