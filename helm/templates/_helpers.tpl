{{- define "jthulhu.labels" -}}
app.kubernetes.io/part-of: jthulhu
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "jthulhu.operator.name" -}}{{ .Release.Name }}-operator{{- end -}}
{{- define "jthulhu.nodeDaemon.name" -}}{{ .Release.Name }}-node-daemon{{- end -}}

{{- define "jthulhu.image" -}}
{{ .image.repository }}:{{ .image.tag | default .appVersion }}
{{- end -}}
