{{- define "tributary.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tributary.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tributary.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "tributary.labels" -}}
app.kubernetes.io/name: tributary
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one role: (dict "root" $ "component" "processor-map") */}}
{{- define "tributary.selectorLabels" -}}
app.kubernetes.io/name: tributary
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Kubernetes waits this long after SIGTERM: the app's drain budget plus a margin for exit. */}}
{{- define "tributary.terminationGraceSeconds" -}}
{{- add (div (add (int .Values.shutdownGraceMs) 999) 1000) (int .Values.terminationMarginSeconds) -}}
{{- end -}}

{{/* replicas <= partitions: a consumer beyond the partition count gets no partition and idles. */}}
{{- define "tributary.checkReplicas" -}}
{{- if gt (int .replicas) (int .partitions) -}}
{{- fail (printf "%s: replicas (%d) must not exceed input partitions (%d)" .component (int .replicas) (int .partitions)) -}}
{{- end -}}
{{- if and .keda .keda.enabled (gt (int .keda.maxReplicas) (int .partitions)) -}}
{{- fail (printf "%s: keda.maxReplicas (%d) must not exceed input partitions (%d)" .component (int .keda.maxReplicas) (int .partitions)) -}}
{{- end -}}
{{- end -}}

{{/*
One role's Deployment: (dict "root" $ "component" "sink" "args" (list ...) "replicas" 2 "scaled" true)
When KEDA scales the Deployment, spec.replicas is left out so helm upgrades do not fight the HPA.
*/}}
{{- define "tributary.deployment" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "tributary.fullname" $root }}-{{ .component }}
  labels:
    {{- include "tributary.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  {{- if not .scaled }}
  replicas: {{ .replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    {{- if eq (int .replicas) 1 }}
    # A singleton (producer): the old pod must be gone before the new one starts, or the two
    # fence each other's transactions during the rollout.
    type: Recreate
    {{- else }}
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 0
      maxUnavailable: 1
    {{- end }}
  selector:
    matchLabels:
      {{- include "tributary.selectorLabels" (dict "root" $root "component" .component) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "tributary.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .component }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        {{- if $v.metrics.podAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $v.metrics.port | quote }}
        prometheus.io/path: /metrics
        {{- end }}
    spec:
      serviceAccountName: {{ include "tributary.serviceAccountName" $root }}
      terminationGracePeriodSeconds: {{ include "tributary.terminationGraceSeconds" $root }}
      securityContext:
        {{- toYaml $v.podSecurityContext | nindent 8 }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "tributary.selectorLabels" (dict "root" $root "component" .component) | nindent 14 }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: tributary
          image: "{{ $v.image.repository }}:{{ $v.image.tag }}"
          imagePullPolicy: {{ $v.image.pullPolicy }}
          command:
            {{- toYaml $v.image.command | nindent 12 }}
          args:
            {{- toYaml .args | nindent 12 }}
          envFrom:
            - configMapRef:
                name: {{ include "tributary.fullname" $root }}-env
            - secretRef:
                name: {{ $v.secrets.secretName }}
          ports:
            - name: metrics
              containerPort: {{ $v.metrics.port }}
              protocol: TCP
          readinessProbe:
            httpGet:
              path: /readyz
              port: metrics
            periodSeconds: 5
            failureThreshold: 3
          livenessProbe:
            httpGet:
              path: /healthz
              port: metrics
            # Generous: a long rebalance or database outage is not a reason to restart.
            initialDelaySeconds: 30
            periodSeconds: 10
            failureThreshold: 6
          startupProbe:
            httpGet:
              path: /healthz
              port: metrics
            periodSeconds: 5
            failureThreshold: 60
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $v.database.rdsCaBundle.configMap }}
            - name: rds-ca
              mountPath: {{ $v.database.rdsCaBundle.mountPath }}
              readOnly: true
            {{- end }}
            {{- if eq $v.secrets.provider "csi" }}
            - name: aws-secrets
              mountPath: /mnt/secrets
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- if $v.database.rdsCaBundle.configMap }}
        - name: rds-ca
          configMap:
            name: {{ $v.database.rdsCaBundle.configMap }}
        {{- end }}
        {{- if eq $v.secrets.provider "csi" }}
        # The CSI driver syncs the Kubernetes Secret only while a pod mounts the volume.
        - name: aws-secrets
          csi:
            driver: secrets-store.csi.k8s.io
            readOnly: true
            volumeAttributes:
              secretProviderClass: {{ $v.secrets.csi.secretProviderClass }}
        {{- end }}
{{- end -}}
