{{/* Names and labels shared by the templates. */}}
{{- define "hero-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hero-exporter.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "hero-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hero-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "hero-exporter.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "hero-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "hero-exporter.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* GOMEMLIMIT: 90% of a memory limit given as Mi or Gi. */}}
{{- define "hero-exporter.goMemLimit" -}}
{{- $l := toString . -}}
{{- if hasSuffix "Gi" $l -}}
{{- printf "%dMiB" (div (mul (trimSuffix "Gi" $l | int) 1024 9) 10) -}}
{{- else if hasSuffix "Mi" $l -}}
{{- printf "%dMiB" (div (mul (trimSuffix "Mi" $l | int) 9) 10) -}}
{{- end -}}
{{- end -}}
