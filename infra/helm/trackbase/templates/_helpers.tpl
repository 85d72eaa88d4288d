{{- define "trackbase.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "trackbase.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "trackbase.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "trackbase.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The Secret holding a value: the user's own, or the chart's. */}}
{{- define "trackbase.secretRef" -}}
{{- $ := index . 0 -}}{{- $existing := index . 1 -}}{{- $key := index . 2 -}}
secretKeyRef:
  name: {{ $existing | default (include "trackbase.fullname" $) }}
  key: {{ $key }}
{{- end -}}

{{/* auth.secretsKey, checked: 32 bytes as base64 or 64 hex digits, as the API requires. */}}
{{- define "trackbase.secretsKey" -}}
{{- $key := .Values.auth.secretsKey | toString | trim -}}
{{- if not (or (regexMatch "^[A-Za-z0-9+/]{43}=$" $key) (regexMatch "^[0-9a-fA-F]{64}$" $key)) -}}
{{- fail "auth.secretsKey must be 32 bytes as base64 (openssl rand -base64 32) or 64 hex digits" -}}
{{- end -}}
{{- $key -}}
{{- end -}}

{{/* Environment of every Trackbase container: the API and the migrations job. */}}
{{- define "trackbase.env" -}}
- name: NODE_ENV
  value: production
- name: PUBLIC_URL
  value: {{ required "publicUrl is required" .Values.publicUrl | quote }}
- name: MIGRATE_ON_BOOT
  value: 'false'
- name: LOG_FORMAT
  value: json
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: DB_POOL_SIZE
  value: {{ .Values.database.poolSize | quote }}
- name: DATABASE_URL
  valueFrom:
    {{- include "trackbase.secretRef" (list . .Values.database.existingSecret .Values.database.existingSecretKey) | nindent 4 }}
{{- if or .Values.redis.url .Values.redis.existingSecret }}
- name: REDIS_URL
  valueFrom:
    {{- include "trackbase.secretRef" (list . .Values.redis.existingSecret .Values.redis.existingSecretKey) | nindent 4 }}
{{- end }}
- name: REDIS_KEY_PREFIX
  value: {{ .Values.redis.keyPrefix | quote }}
- name: JWT_SECRET
  valueFrom:
    {{- include "trackbase.secretRef" (list . .Values.auth.existingSecret "JWT_SECRET") | nindent 4 }}
{{- if .Values.auth.existingSecret }}
- name: SECRETS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.auth.existingSecret }}
      key: SECRETS_KEY
      optional: true
{{- else if .Values.auth.secretsKey }}
- name: SECRETS_KEY
  valueFrom:
    {{- include "trackbase.secretRef" (list . "" "SECRETS_KEY") | nindent 4 }}
{{- end }}
- name: AUTH_RATE_LIMIT_PER_MINUTE
  value: {{ .Values.auth.rateLimitPerMinute | quote }}
{{- if .Values.auth.trustProxy }}
- name: TRUST_PROXY
  value: {{ .Values.auth.trustProxy | quote }}
{{- end }}
- name: STORAGE_DRIVER
  value: s3
- name: S3_BUCKET
  value: {{ required "s3.bucket is required" .Values.s3.bucket | quote }}
- name: S3_REGION
  value: {{ .Values.s3.region | quote }}
{{- with .Values.s3.endpoint }}
- name: S3_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- with .Values.s3.publicEndpoint }}
- name: S3_PUBLIC_ENDPOINT
  value: {{ . | quote }}
{{- end }}
- name: S3_FORCE_PATH_STYLE
  value: {{ .Values.s3.forcePathStyle | quote }}
{{- if or .Values.s3.accessKeyId .Values.s3.existingSecret }}
- name: S3_ACCESS_KEY_ID
  valueFrom:
    {{- include "trackbase.secretRef" (list . .Values.s3.existingSecret "S3_ACCESS_KEY_ID") | nindent 4 }}
- name: S3_SECRET_ACCESS_KEY
  valueFrom:
    {{- include "trackbase.secretRef" (list . .Values.s3.existingSecret "S3_SECRET_ACCESS_KEY") | nindent 4 }}
{{- end }}
- name: METRICS_PORT
  value: {{ .Values.metrics.port | quote }}
{{- range $name, $value := .Values.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "trackbase.securityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
