#!/usr/bin/env bash
# Benchmarks `galley test` on a generated site of 10,000 code blocks, and compares it with
# extracting the same Kubernetes YAML to files and validating them with check-jsonschema.
#
#   cargo build --release
#   python3 -m venv /tmp/cj && /tmp/cj/bin/pip install check-jsonschema==0.39.0   # optional
#   CHECK_JSONSCHEMA=/tmp/cj/bin/check-jsonschema bench/snippets/run.sh
#
# Prints the median wall time of 5 runs and the peak RSS, cold (no .galley-cache/) and cached
# (nothing changed since the previous run). `run` blocks are not part of the corpus.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
galley=${GALLEY:-$here/../../target/release/galley}
work=${BENCH_DIR:-/tmp/galley-bench}
runs=${RUNS:-5}

rm -rf "$work"
python3 "$here/generate.py" "$work/site" --extract "$work/yaml"

# measure LABEL COLD(yes|no) COMMAND...: median wall time and peak RSS over $runs runs.
measure() {
    local label=$1 cold=$2
    shift 2
    for _ in $(seq "$runs"); do
        if [ "$cold" = yes ]; then rm -rf "$work/site/.galley-cache"; fi
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2>&1 || true
        tail -1 "$work/time"
    done | sort -n | awk -v label="$label" '
        { t[NR] = $1; if ($2 > rss) rss = $2 }
        END { printf "%-34s median %6.3f s  (min %.3f, max %.3f)  peak RSS %4d MB\n", label, t[int((NR + 1) / 2)], t[1], t[NR], rss / 1024 }'
}

{ "$galley" --root "$work/site" test --no-cache || true; } | tail -1
measure "galley test, cold" yes "$galley" --root "$work/site" test
"$galley" --root "$work/site" test > /dev/null || true
measure "galley test, cached" no "$galley" --root "$work/site" test

checker=${CHECK_JSONSCHEMA:-check-jsonschema}
if ! command -v "$checker" > /dev/null; then
    echo "check-jsonschema not found: set CHECK_JSONSCHEMA to compare"
    exit 0
fi
# One self-contained strict schema per kind, from galley's own vendored Kubernetes 1.37 data.
python3 - "$here/../../src/snippets/vendor/kubernetes.json.gz" "$work/schemas" << 'PY'
import gzip, json, os, sys
store = json.load(gzip.open(sys.argv[1]))
table = store["versions"]["1.37"]
defs = {name: store["pool"][i] for name, i in table.items()}
os.makedirs(sys.argv[2], exist_ok=True)
kinds = {"Deployment": "io.k8s.api.apps.v1.Deployment", "Service": "io.k8s.api.core.v1.Service",
         "ConfigMap": "io.k8s.api.core.v1.ConfigMap", "CronJob": "io.k8s.api.batch.v1.CronJob",
         "Ingress": "io.k8s.api.networking.v1.Ingress",
         "HorizontalPodAutoscaler": "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"}
for kind, definition in kinds.items():
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$ref": f"#/$defs/{definition}", "$defs": defs}
    json.dump(schema, open(os.path.join(sys.argv[2], kind + ".json"), "w"))
PY
check_all() {
    for dir in "$work"/yaml/*/; do
        kind=$(basename "$dir")
        "$checker" --schemafile "$work/schemas/$kind.json" "$dir"*.yaml > /dev/null 2>&1 || true
    done
}
export -f check_all
export work checker
measure "check-jsonschema (YAML only)" no bash -c check_all
echo "files: $(find "$work/yaml" -name '*.yaml' | wc -l) YAML documents for check-jsonschema"
