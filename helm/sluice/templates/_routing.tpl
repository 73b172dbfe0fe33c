{{/* Ingress rules for the data paths only, to the given Service. (dict "root" $ "service" name) */}}
{{- define "sluice.ingressSpec" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
ingressClassName: {{ $v.ingress.className }}
{{- with $v.ingress.tls }}
tls:
  {{- toYaml . | nindent 2 }}
{{- end }}
rules:
  - host: {{ $v.ingress.host | quote }}
    http:
      paths:
        {{- range $v.routedPaths }}
        - path: {{ . | quote }}
          pathType: Exact
          backend:
            service:
              name: {{ $.service }}
              port:
                name: http
        {{- end }}
{{- end }}
