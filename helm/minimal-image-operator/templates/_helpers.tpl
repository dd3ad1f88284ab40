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

{{/* Watched namespaces for the operator SDK: a comma-separated list, or JOSDK_ALL_NAMESPACES when empty. */}}
{{- define "minimal-image-operator.watchNamespaces" -}}
{{- if .Values.watchNamespaces }}
{{- join "," .Values.watchNamespaces }}
{{- else -}}
JOSDK_ALL_NAMESPACES
{{- end }}
{{- end }}

{{/* The operator's Secret permissions: read only (ClusterRole with a cluster-wide watch, else role-secrets.yaml). */}}
{{- define "minimal-image-operator.secretRule" -}}
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
{{- end }}

{{/* Namespaces of the builder NetworkPolicy: its own list, else the watched namespaces, else the release's. */}}
{{- define "minimal-image-operator.networkPolicyNamespaces" -}}
{{- $namespaces := .Values.builder.networkPolicy.namespaces | default .Values.watchNamespaces | default (list .Release.Namespace) }}
{{- toJson $namespaces }}
{{- end }}
