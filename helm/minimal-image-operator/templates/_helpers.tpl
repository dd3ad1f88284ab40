{{/* Chart name. */}}
{{- define "minimal-image-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, unless the release name already contains the chart name. */}}
{{- define "minimal-image-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "minimal-image-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "minimal-image-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "minimal-image-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "minimal-image-operator.labels" -}}
helm.sh/chart: {{ include "minimal-image-operator.chart" . }}
{{ include "minimal-image-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "minimal-image-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "minimal-image-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The operator image reference; the tag defaults to appVersion. No default repository: the image is not published,
the user builds and pushes it (scripts/image.sh), so an install without it fails saying how. */}}
{{- define "minimal-image-operator.image" -}}
{{- $repository := required "image.repository is not set: the operator image is not published, build and push it yourself from a clone of the project (scripts/image.sh --image REGISTRY/minimal-image-operator:TAG; it runs mvn package when needed), then install with --set image.repository=REGISTRY/minimal-image-operator --set image.tag=TAG" .Values.image.repository }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}

{{/* The builder image reference (the builder pod's fetch, stage-runtime and package steps); its own repository and
tag, the tag defaulting to appVersion like the operator's. Not published either: an install without it fails saying how. */}}
{{- define "minimal-image-operator.builderImage" -}}
{{- $repository := required "builder.image.repository is not set: the builder image is not published, build and push it yourself from a clone of the project (scripts/image.sh --component builder --image REGISTRY/minimal-image-builder:TAG), then install with --set builder.image.repository=REGISTRY/minimal-image-builder --set builder.image.tag=TAG" .Values.builder.image.repository }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.builder.image.tag | toString) }}
{{- end }}

{{/* Watched namespaces for the operator SDK: a comma-separated list, or JOSDK_ALL_NAMESPACES when empty. */}}
{{- define "minimal-image-operator.watchNamespaces" -}}
{{- if .Values.watchNamespaces }}
{{- join "," .Values.watchNamespaces }}
{{- else -}}
JOSDK_ALL_NAMESPACES
{{- end }}
{{- end }}

{{/*
Everything the operator does in a namespace it watches, verb by verb as the code uses it (docs/permissions.md has the
same table). Granted by the ClusterRole when every namespace is watched, else by a Role in each watched namespace.
*/}}
{{- define "minimal-image-operator.namespacedRules" -}}
# MinimalImages: read by the operator's informer; never created, changed or deleted (users do that).
- apiGroups: ["build.minimalimage.dev"]
  resources: ["minimalimages"]
  verbs: ["get", "list", "watch"]
# Their status: replaced as a whole after a reconcile (PUT on the status subresource).
- apiGroups: ["build.minimalimage.dev"]
  resources: ["minimalimages/status"]
  verbs: ["update"]
# Builder and smoke-test pods name their MinimalImage as owner with blockOwnerDeletion; where the
# OwnerReferencesPermissionEnforcement admission plugin runs, setting that needs update on the owner's finalizers.
- apiGroups: ["build.minimalimage.dev"]
  resources: ["minimalimages/finalizers"]
  verbs: ["update"]
# Builder and smoke-test pods, and the ConfigMaps holding inline sources: watched (informers), created (with
# server-side apply, the default, JOSDK creates them by an apply PATCH; create when SSA is off), deleted (finished pods
# beyond spec.build.keepFinishedPods, superseded builds, unused sources). Never updated (every change is a new name),
# except a builder pod's deadline, lowered to stop a pod whose step failed while another still ran.
# configmaps get: also the pre-flight read of a CA bundle ConfigMap (spec.build.caBundle, builder.caBundle).
- apiGroups: [""]
  resources: ["pods", "configmaps"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# The last lines of a failed smoke test's program, quoted in the status (build steps report through their
# termination message instead).
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
# spec.verify.smokeTest: the NetworkPolicy that cuts a resource's smoke-test pods off the network (created once,
# deleted with the resource or when the smoke test is removed; never changed).
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# spec.build.cache: read to check the claim's opt-in label before a build mounts it.
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get"]
# Events: written for builds; listed only for a builder pod that did not start, to quote the kubelet's FailedMount
# message in the status.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "list"]
# Secrets, read only: the pre-flight check of the push and git Secrets a spec names (exists, type, key names) fails a
# wrong one before a builder pod is created; a Secret event (list, watch) wakes the MinimalImages that name it; the
# git-hosts annotation of a git Secret is read from it. Values never go into status, Events or logs: the builder pod
# mounts them.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
{{- end }}

{{/*
Nodes, cluster-scoped and read only: a multi-platform image's foreign platform is smoke tested on a node of its
architecture when one matches (a list by label selector); never watched, never changed.
*/}}
{{- define "minimal-image-operator.nodeRules" -}}
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["list"]
{{- end }}

{{/* Namespaces of the builder NetworkPolicy: its own list, else the watched namespaces, else the release's. */}}
{{- define "minimal-image-operator.networkPolicyNamespaces" -}}
{{- $namespaces := .Values.builder.networkPolicy.namespaces | default .Values.watchNamespaces | default (list .Release.Namespace) }}
{{- toJson $namespaces }}
{{- end }}

{{/* Whether the operator may list nodes: smokeTest.listNodes, else yes exactly when every namespace is watched. */}}
{{- define "minimal-image-operator.listNodes" -}}
{{- if kindIs "invalid" .Values.smokeTest.listNodes -}}
{{- not .Values.watchNamespaces -}}
{{- else -}}
{{- .Values.smokeTest.listNodes -}}
{{- end -}}
{{- end }}
