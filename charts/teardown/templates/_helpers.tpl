{{/* The name of most objects; fixed so that the chart and deploy/ name things alike. */}}
{{- define "teardown.name" -}}teardown-operator{{- end -}}

{{/* Labels every object carries; the selector labels are those of deploy/. */}}
{{- define "teardown.selectorLabels" -}}
app.kubernetes.io/name: teardown
app.kubernetes.io/component: operator
{{- end -}}

{{- define "teardown.labels" -}}
{{ include "teardown.selectorLabels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "teardown.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}
