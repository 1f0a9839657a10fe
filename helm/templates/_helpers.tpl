{{- define "jthulhu.labels" -}}
app.kubernetes.io/part-of: jthulhu
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "jthulhu.operator.name" -}}{{ .Release.Name }}-operator{{- end -}}
{{- define "jthulhu.nodeDaemon.name" -}}{{ .Release.Name }}-node-daemon{{- end -}}

{{- define "jthulhu.operator.selector" -}}
app.kubernetes.io/name: jthulhu-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "jthulhu.nodeDaemon.selector" -}}
app.kubernetes.io/name: jthulhu-node-daemon
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "jthulhu.image" -}}
{{ .image.repository }}:{{ .image.tag | default .appVersion }}
{{- end -}}

{{/* The images' Java runtime (jlinked, docker/jlink.sh) and jars: the same paths as the Dockerfiles' ENTRYPOINTs. */}}
{{- define "jthulhu.java" -}}/opt/java/bin/java{{- end -}}
{{- define "jthulhu.operator.jar" -}}/opt/jthulhu/jthulhu-operator.jar{{- end -}}
{{- define "jthulhu.nodeDaemon.jar" -}}/opt/jthulhu/jthulhu-node-daemon.jar{{- end -}}
