{{/*
Cross-field rules the JSON schema cannot express readably. Every template includes this, so a bad
combination stops `helm install`, `helm upgrade` and `helm template` with one clear message.
*/}}
{{- define "sluice.validate" -}}
{{- $v := .Values -}}
{{- if eq $v.database.type "sqlite" }}
{{- if gt (int $v.replicaCount) 1 }}
{{- fail (printf "sluice: replicaCount=%d is not allowed with database.type=sqlite: the embedded SQLite database lives on one pod's volume, so SQLite mode runs exactly one replica. Use database.type=postgresql for more replicas." (int $v.replicaCount)) }}
{{- end }}
{{- if $v.canary.enabled }}
{{- fail "sluice: canary.enabled=true is not allowed with database.type=sqlite: a canary pod cannot share the stable pod's SQLite volume. Use database.type=postgresql for canary releases." }}
{{- end }}
{{- if $v.autoscaling.enabled }}
{{- fail "sluice: autoscaling.enabled=true is not allowed with database.type=sqlite: SQLite mode runs exactly one replica." }}
{{- end }}
{{- end }}
{{- if and (eq $v.database.type "postgresql") (not $v.database.url) (not $v.existingSecret) }}
{{- fail "sluice: database.type=postgresql needs database.url (a JDBC URL such as jdbc:postgresql://db:5432/app) or an existingSecret holding SLUICE_DATABASE_URL." }}
{{- end }}
{{- if and $v.canary.enabled (not $v.canary.image.tag) }}
{{- fail "sluice: canary.enabled=true needs canary.image.tag, the image tag the canary runs." }}
{{- end }}
{{- if and (eq $v.flags.store "kubernetes") (not $v.rbac.create) (not $v.serviceAccount.name) }}
{{- fail "sluice: flags.store=kubernetes with rbac.create=false needs serviceAccount.name, an account you have granted get/watch/patch on the flags ConfigMap." }}
{{- end }}
{{- if and $v.gatewayApi.enabled (empty $v.gatewayApi.parentRefs) }}
{{- fail "sluice: gatewayApi.enabled=true needs gatewayApi.parentRefs (the Gateway the HTTPRoute attaches to)." }}
{{- end }}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
{{- fail "sluice: autoscaling.minReplicas must not exceed autoscaling.maxReplicas." }}
{{- end }}
{{- if and $v.metrics.serviceMonitor.enabled (not $v.metrics.service) }}
{{- fail "sluice: metrics.serviceMonitor.enabled=true needs metrics.service=true (the ServiceMonitor scrapes that Service)." }}
{{- end }}
{{- if lt (int (include "sluice.drainSeconds" .)) 1 }}
{{- fail (printf "sluice: terminationGracePeriodSeconds=%d leaves no time to drain after shutdown.preStopSeconds=%d and shutdown.stopMarginSeconds=%d; raise terminationGracePeriodSeconds." (int $v.terminationGracePeriodSeconds) (int $v.shutdown.preStopSeconds) (int $v.shutdown.stopMarginSeconds)) }}
{{- end }}
{{- end }}
