#!/usr/bin/env bash
# scripts/cluster/install-operator.sh [HELM --set ARGS...] — installs the operator into the running test cluster
# (../shared/kube, network namespace mimgkube) the way a user of an air-gapped cluster does, and writes what it
# installed to target/cluster-tier/operator.env (sourced by scripts/test-cluster.sh and bench/cluster.sh).
# MINIMAL_IMAGE_RELEASE, MINIMAL_IMAGE_OPERATOR_NS and MINIMAL_IMAGE_OPERATOR_ENV give a second install its own
# release name, namespace and env file. MINIMAL_IMAGE_BUILDER_ARGS adds scripts/image.sh options to the builder
# image's build (words split on spaces, e.g. "--archive"; part of the image tag).
#   1. the toolchain image built from Debian packages, in the cluster's registry (scripts/cluster/toolchain-image.sh);
#   2. helm v4 and a current kubectl (scripts/cluster/tools.sh);
#   3. the operator and builder images built by this repository's own packer (scripts/image.sh --component
#      operator|builder), pushed there under a tag derived from the application's jars, image.sh and the JDK, so
#      the node never runs a stale image under a reused tag (and a tag the registry has already is not built again);
#   4. the smoke-test emulator image (scripts/emulator-image.sh), so arm64 images are smoke tested under qemu;
#   5. the CRD (Helm installs crds/ on first install only; a reused cluster must get the current one);
#   6. the chart, with every preset pointed at the toolchain image, then waits for the Deployment to be ready.
# Needs root, `mvn package` done, and the cluster up (KUBE_STATE, default /tmp/kube/state).
set -euo pipefail
cd "$(dirname "$0")/../.."
KUBE_STATE=${KUBE_STATE:-/tmp/kube/state}
OUT=target/cluster-tier
OPERATOR_NS=${MINIMAL_IMAGE_OPERATOR_NS:-mimg-system}
RELEASE=${MINIMAL_IMAGE_RELEASE:-minimal-image-operator}   # a second release (e.g. the benchmark's) needs its own name
ENV_FILE=${MINIMAL_IMAGE_OPERATOR_ENV:-$OUT/operator.env}
log() { printf '[install-operator %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ -f target/quarkus-app/quarkus-run.jar ]] || die "run mvn package first"
[[ -f $KUBE_STATE/cluster.env ]] || die "no cluster at $KUBE_STATE: run ../shared/kube/up.sh"
mkdir -p "$OUT"
# shellcheck disable=SC1091
. "$KUBE_STATE/cluster.env"
knet() { nsenter --net="/run/netns/$KUBE_NETNS" -- "$@"; }
KUBE_GW=${KUBE_REGISTRY%:*}   # the node's address: registry, apiserver and anything the tests serve to pods

TOOLCHAIN=$(MIMG_NETNS=$KUBE_NETNS MIMG_REGISTRY=$KUBE_REGISTRY scripts/cluster/toolchain-image.sh)
log "toolchain image: $TOOLCHAIN"
TOOLS=$(scripts/cluster/tools.sh)

# the tag names everything that goes into the image but the (non-reproducible) start-up archive: the packaged
# application, the recipe and the JDK, so a changed image never hides under a tag the node has already pulled
APP_ID=$( { (cd target/quarkus-app && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum);
  sha256sum scripts/image.sh; echo "${MINIMAL_IMAGE_BUILDER_ARGS:-}"; cat /usr/lib/jvm/temurin-25-jdk-amd64/release 2>/dev/null || java -version 2>&1
  cat /usr/lib/jvm/java-17-openjdk-amd64/release 2>/dev/null || true; } \
  | sha256sum | cut -c1-12)
OPERATOR_IMAGE=$KUBE_REGISTRY/mimg/minimal-image-operator
BUILDER_IMAGE=$KUBE_REGISTRY/mimg/minimal-image-builder
for component in operator builder; do
  extra=()
  if [[ $component == operator ]]; then name=$OPERATOR_IMAGE
  else name=$BUILDER_IMAGE; read -ra extra <<< "${MINIMAL_IMAGE_BUILDER_ARGS:-}"; fi
  # the tag names its inputs: a registry that has it has this image (a bench's second install saves the ~1.5 min pack)
  if knet curl -sf -o /dev/null --max-time 10 -I -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
      "http://$KUBE_REGISTRY/v2/${name#"$KUBE_REGISTRY"/}/manifests/$APP_ID"; then
    log "$component image: $name:$APP_ID is in the registry already: not built again"
    continue
  fi
  log "$component image: $name:$APP_ID ${extra[*]+${extra[*]}} (log: $OUT/image-$component.log)"
  knet timeout 1200 scripts/image.sh --component "$component" ${extra[@]+"${extra[@]}"} --image "$name:$APP_ID" --insecure \
    > "$OUT/image-$component.log" 2>&1 \
    || { tail -30 "$OUT/image-$component.log" >&2; die "scripts/image.sh --component $component failed"; }
done

# the smoke-test emulator image (qemu-aarch64-static + busybox), by digest: arm64 images are smoke tested under it
EMULATOR_IMAGE=$(knet timeout 600 scripts/emulator-image.sh --image "$KUBE_REGISTRY/mimg/minimal-image-emulator" \
  --insecure 2> "$OUT/image-emulator.log") \
  || { tail -30 "$OUT/image-emulator.log" >&2; die "scripts/emulator-image.sh failed"; }
log "emulator image: $EMULATOR_IMAGE"
# The CRD keeps its x-kubernetes-validations (CEL) rules for 1.25+ servers. A server without CEL (< 1.25) drops them
# on a client-side apply (kubectl's own client-side check must be off: --validate=false) but rejects them in a
# server-side apply ("field not declared in schema"), which is Helm 4's default: hence --server-side=false below.
# The operator's planner re-checks every rule, so there the same mistakes become Ready=False/InvalidSpec.
# Helm installs crds/ on first install only; a reused cluster gets the current CRD from this apply.
knet env KUBECONFIG="$KUBECONFIG" "$KUBE_BIN/kubectl" apply --validate=false \
  -f crds/minimalimages.build.minimalimage.dev-v1.yml >&2
kubectl_() { knet env KUBECONFIG="$KUBECONFIG" "$KUBE_BIN/kubectl" "$@"; }
# Work-around for the test cluster (../shared/kube): its kubelet stacks self-bind mounts on /var/lib/kubelet, which
# hides earlier secret-volume mounts, so a deleted pod with a Secret volume (every pod with a service-account token)
# stays Terminating for ever ("unlinkat ...: device or resource busy"), and the chart's Recreate strategy would wait
# for it for ever. Such pods are removed from the API while the rollout runs; the kubelet keeps retrying its clean-up.
remove_stuck_pods() {
  local pod
  for pod in $(kubectl_ -n "$OPERATOR_NS" get pods \
      -o jsonpath='{range .items[?(@.metadata.deletionTimestamp)]}{.metadata.name}{" "}{end}' 2>/dev/null); do
    log "removing pod $OPERATOR_NS/$pod stuck in Terminating (test-cluster kubelet volume clean-up bug)"
    kubectl_ -n "$OPERATOR_NS" delete pod "$pod" --grace-period=0 --force >/dev/null 2>&1 || true
  done
}
helm_() { knet env KUBECONFIG="$KUBECONFIG" HELM_CACHE_HOME="$PWD/$OUT/helm/cache" \
  HELM_CONFIG_HOME="$PWD/$OUT/helm/config" HELM_DATA_HOME="$PWD/$OUT/helm/data" "$TOOLS/helm" "$@"; }
# a run killed mid-upgrade leaves the release pending, and Helm then refuses every operation on it
if helm_ list -n "$OPERATOR_NS" --pending -q 2>/dev/null | grep -qx "$RELEASE"; then
  log "release $RELEASE was left pending by an interrupted run: rolling it back"
  helm_ rollback "$RELEASE" -n "$OPERATOR_NS" >&2 || helm_ uninstall "$RELEASE" -n "$OPERATOR_NS" >&2
fi
log "helm upgrade --install $RELEASE"
helm_ upgrade --install "$RELEASE" helm/minimal-image-operator --server-side=false \
  -n "$OPERATOR_NS" --create-namespace --set image.repository="$OPERATOR_IMAGE" --set image.tag="$APP_ID" \
  --set builder.image.repository="$BUILDER_IMAGE" --set builder.image.tag="$APP_ID" \
  --set presets.cMusl="$TOOLCHAIN" --set presets.cGlibc="$TOOLCHAIN" --set presets.cpp="$TOOLCHAIN" \
  --set presets.go="$TOOLCHAIN" --set presets.rust="$TOOLCHAIN" --set smokeTest.emulatorImage="$EMULATOR_IMAGE" \
  --set fullnameOverride="$RELEASE" "$@" \
  --timeout 5m >&2   # fullnameOverride: the Deployment (and cluster-wide RBAC) named after the release, waited on below
deadline=$(( $(date +%s) + 300 ))
until kubectl_ -n "$OPERATOR_NS" rollout status "deploy/$RELEASE" --timeout=5s >/dev/null 2>&1; do
  (( $(date +%s) < deadline )) || { kubectl_ -n "$OPERATOR_NS" get pods >&2; die "operator not ready after 5 min"; }
  remove_stuck_pods
done
log "operator ready: $(kubectl_ -n "$OPERATOR_NS" get deploy "$RELEASE" -o jsonpath='{.spec.template.spec.containers[0].image}')"

cat > "$ENV_FILE" <<ENV
KUBECONFIG=$KUBECONFIG
KUBE_BIN=$KUBE_BIN
KUBE_NETNS=$KUBE_NETNS
KUBE_REGISTRY=$KUBE_REGISTRY
KUBE_GW=$KUBE_GW
TOOLS=$TOOLS
TOOLCHAIN=$TOOLCHAIN
OPERATOR_IMAGE=$OPERATOR_IMAGE:$APP_ID
BUILDER_IMAGE=$BUILDER_IMAGE:$APP_ID
EMULATOR_IMAGE=$EMULATOR_IMAGE
OPERATOR_NS=$OPERATOR_NS
OPERATOR_DEPLOYMENT=$RELEASE
ENV
log "installed: $ENV_FILE"
