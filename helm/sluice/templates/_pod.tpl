{{/*
The Sluice Deployment, shared by the stable and the canary track.
Call with (dict "root" $ "track" "stable"|"canary").
*/}}
{{- define "sluice.deployment" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $track := .track -}}
{{- $canary := eq $track "canary" -}}
{{- $name := ternary (include "sluice.canaryName" $root) (include "sluice.fullname" $root) $canary -}}
{{- $tag := ternary $v.canary.image.tag (default $root.Chart.AppVersion $v.image.tag) $canary -}}
{{- $resources := ternary (default $v.resources $v.canary.resources) $v.resources $canary -}}
{{- $sqlite := eq $v.database.type "sqlite" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "sluice.labels" $root | nindent 4 }}
    app.kubernetes.io/component: gateway
    sluice.io/track: {{ $track }}
spec:
  {{- if $canary }}
  replicas: {{ $v.canary.replicaCount }}
  {{- else if not $v.autoscaling.enabled }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  {{- if $sqlite }}
  # One pod owns the SQLite volume (ReadWriteOnce): stop the old pod before starting the new one.
  strategy:
    type: Recreate
  {{- else }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  {{- end }}
  selector:
    matchLabels:
      {{- include "sluice.selectorLabels" $root | nindent 6 }}
      sluice.io/track: {{ $track }}
  template:
    metadata:
      {{- with $v.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      labels:
        {{- include "sluice.labels" $root | nindent 8 }}
        app.kubernetes.io/component: gateway
        sluice.io/track: {{ $track }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "sluice.serviceAccountName" $root }}
      # Only the Kubernetes flag store talks to the API server.
      automountServiceAccountToken: {{ eq $v.flags.store "kubernetes" }}
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
      {{- with $v.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- with $v.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $v.podSecurityContext | nindent 8 }}
      containers:
        - name: sluice
          image: {{ printf "%s:%s" $v.image.repository $tag | quote }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          securityContext:
            {{- toYaml $v.securityContext | nindent 12 }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
            - name: management
              containerPort: {{ $v.managementPort }}
              protocol: TCP
          env:
            - name: QUARKUS_PROFILE
              value: {{ $v.profile | quote }}
            - name: QUARKUS_MANAGEMENT_PORT
              value: {{ $v.managementPort | toString | quote }}
            - name: POD_IP
              valueFrom:
                fieldRef:
                  fieldPath: status.podIP
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: POD_NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
            # The owner of a Hrana stream is reached by pod IP: batons carry this URL, and a replica that
            # receives another replica's baton forwards the request there.
            - name: SLUICE_ADVERTISE_URL
              value: "http://$(POD_IP):8080"
            - name: SLUICE_DATA_DIR
              value: {{ $v.dataDir | quote }}
            {{- if not $sqlite }}
            - name: SLUICE_DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: {{ include "sluice.secretName" $root }}
                  key: SLUICE_DATABASE_URL
            - name: SLUICE_DATABASE_USER
              valueFrom:
                secretKeyRef:
                  name: {{ include "sluice.secretName" $root }}
                  key: SLUICE_DATABASE_USER
                  optional: true
            - name: SLUICE_DATABASE_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ include "sluice.secretName" $root }}
                  key: SLUICE_DATABASE_PASSWORD
                  optional: true
            {{- end }}
            - name: SLUICE_AUTH_MODE
              value: {{ $v.auth.mode | quote }}
            - name: SLUICE_AUTH_JWT_PUBLIC_KEYS
              valueFrom:
                secretKeyRef:
                  name: {{ include "sluice.secretName" $root }}
                  key: SLUICE_AUTH_JWT_PUBLIC_KEYS
                  optional: true
            - name: SLUICE_ADMIN_TOKEN
              valueFrom:
                secretKeyRef:
                  name: {{ include "sluice.secretFor" (dict "root" $root "key" "SLUICE_ADMIN_TOKEN") }}
                  key: SLUICE_ADMIN_TOKEN
            - name: SLUICE_BATON_KEY
              valueFrom:
                secretKeyRef:
                  name: {{ include "sluice.secretFor" (dict "root" $root "key" "SLUICE_BATON_KEY") }}
                  key: SLUICE_BATON_KEY
            - name: SLUICE_FLAGS_STORE
              value: {{ $v.flags.store | quote }}
            - name: SLUICE_FLAGS_DIR
              value: {{ $v.flags.dir | quote }}
            - name: SLUICE_FLAGS_CONFIGMAP
              value: {{ include "sluice.flagsConfigMapName" $root | quote }}
            - name: DB_MAX_CONNECTIONS
              value: {{ $v.pool.maxConnections | toString | quote }}
            - name: DB_ACQUIRE_TIMEOUT
              value: {{ $v.pool.acquireTimeoutMs | toString | quote }}
            - name: CB_FAILURE_THRESHOLD
              value: {{ $v.breaker.failureThreshold | toString | quote }}
            - name: CB_RECOVERY_TIMEOUT
              value: {{ $v.breaker.recoveryTimeoutMs | toString | quote }}
            {{- range $flag, $on := $v.features }}
            - name: {{ printf "FEATURE_ENABLE_%s" ($flag | snakecase | upper) }}
              value: {{ $on | toString | quote }}
            {{- end }}
            {{- range $flag, $pct := $v.rollout }}
            - name: {{ printf "ROLLOUT_ENABLE_%s" ($flag | snakecase | upper) }}
              value: {{ $pct | toString | quote }}
            {{- end }}
            # A label on every metric, with the version: canary and stable compared side by side.
            - name: SLUICE_TRACK
              value: {{ $track | quote }}
            # The drain after SIGTERM, derived from terminationGracePeriodSeconds (values.yaml, "shutdown").
            - name: SLUICE_SHUTDOWN_GRACE
              value: {{ printf "%ss" (include "sluice.drainSeconds" $root) | quote }}
            {{- if $v.productionMigrationApproved }}
            - name: PRODUCTION_MIGRATION_APPROVED
              value: "true"
            {{- end }}
            {{- with $v.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- if gt (int $v.shutdown.preStopSeconds) 0 }}
          # Keep serving while Services and load balancers drop this pod's endpoints; SIGTERM (and the drain)
          # comes after.
          lifecycle:
            preStop:
              sleep:
                seconds: {{ $v.shutdown.preStopSeconds }}
          {{- end }}
          # Probes use the management interface only; liveness checks the process, never the database,
          # so a database outage never restarts pods.
          startupProbe:
            httpGet:
              path: /q/health/started
              port: management
            periodSeconds: {{ $v.probes.startup.periodSeconds }}
            timeoutSeconds: {{ $v.probes.startup.timeoutSeconds }}
            failureThreshold: {{ $v.probes.startup.failureThreshold }}
          livenessProbe:
            httpGet:
              path: /q/health/live
              port: management
            periodSeconds: {{ $v.probes.liveness.periodSeconds }}
            timeoutSeconds: {{ $v.probes.liveness.timeoutSeconds }}
            failureThreshold: {{ $v.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet:
              path: /q/health/ready
              port: management
            periodSeconds: {{ $v.probes.readiness.periodSeconds }}
            timeoutSeconds: {{ $v.probes.readiness.timeoutSeconds }}
            failureThreshold: {{ $v.probes.readiness.failureThreshold }}
            successThreshold: {{ $v.probes.readiness.successThreshold }}
          {{- with $resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            - name: data
              mountPath: {{ $v.dataDir }}
            - name: tmp
              mountPath: /tmp
            - name: flags
              mountPath: {{ $v.flags.dir }}
              readOnly: true
      volumes:
        - name: data
          {{- if and $sqlite $v.persistence.enabled }}
          persistentVolumeClaim:
            claimName: {{ include "sluice.pvcName" $root }}
          {{- else }}
          emptyDir: {}
          {{- end }}
        - name: tmp
          emptyDir: {}
        - name: flags
          configMap:
            name: {{ include "sluice.flagsConfigMapName" $root }}
            optional: true
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
