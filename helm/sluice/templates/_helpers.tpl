{{/* Chart name, truncated to the DNS label limit. */}}
{{- define "sluice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: "<release>-sluice" unless the release name already contains the chart name. */}}
{{- define "sluice.fullname" -}}
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

{{- define "sluice.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels shared by every resource. */}}
{{- define "sluice.labels" -}}
helm.sh/chart: {{ include "sluice.chart" . }}
{{ include "sluice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sluice
{{- end }}

{{/* Labels that select every Sluice pod of this release (stable and canary). */}}
{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sluice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sluice.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sluice.secretName" -}}
{{- default (include "sluice.fullname" .) .Values.existingSecret }}
{{- end }}

{{/* The flags ConfigMap: "<release>-sluice-flags" unless flags.configMap.name says otherwise. */}}
{{- define "sluice.flagsConfigMapName" -}}
{{- default (printf "%s-flags" (include "sluice.fullname" .)) .Values.flags.configMap.name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sluice.canaryName" -}}
{{- printf "%s-canary" (include "sluice.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sluice.headlessName" -}}
{{- printf "%s-headless" (include "sluice.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sluice.pvcName" -}}
{{- default (printf "%s-data" (include "sluice.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{- define "sluice.sqlite" -}}
{{- if eq .Values.database.type "sqlite" }}true{{- end }}
{{- end }}

{{/* The CLI entry point of the image: the fast-jar launcher (jvm) or the native binary (native). */}}
{{- define "sluice.cliCommand" -}}
{{- if eq .Values.image.flavor "native" -}}
["/work/application"]
{{- else -}}
["java", "-jar", "/deployments/quarkus-run.jar"]
{{- end -}}
{{- end }}

{{- define "sluice.generatedSecretName" -}}
{{- printf "%s-generated" (include "sluice.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Secret holding a generated key: existingSecret, the chart's Secret, or the generated one. */}}
{{- define "sluice.secretFor" -}}
{{- $root := .root -}}
{{- if $root.Values.existingSecret -}}
{{ $root.Values.existingSecret }}
{{- else if eq .key "SLUICE_BATON_KEY" -}}
{{ ternary (include "sluice.fullname" $root) (include "sluice.generatedSecretName" $root) (not (empty $root.Values.batonKey)) }}
{{- else if eq .key "SLUICE_ADMIN_TOKEN" -}}
{{ ternary (include "sluice.fullname" $root) (include "sluice.generatedSecretName" $root) (not (empty $root.Values.admin.token)) }}
{{- else -}}
{{ include "sluice.secretName" $root }}
{{- end -}}
{{- end }}

{{/*
Seconds the drain may take after SIGTERM: terminationGracePeriodSeconds minus the preStop delay and the
stop margin (templates/_validate.tpl refuses values that leave less than one second).
*/}}
{{- define "sluice.drainSeconds" -}}
{{- sub (sub (int .Values.terminationGracePeriodSeconds) (int .Values.shutdown.preStopSeconds)) (int .Values.shutdown.stopMarginSeconds) -}}
{{- end }}
