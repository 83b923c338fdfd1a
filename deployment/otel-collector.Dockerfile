# syntax=docker/dockerfile:1
#
# The OpenTelemetry Collector (contrib distribution) for docker compose, unchanged, on a BusyBox base.
# The official image is built FROM scratch: it has no shell and no HTTP client, so docker cannot check its
# health (https://github.com/open-telemetry/opentelemetry-collector-releases/issues/866). BusyBox gives the
# health check a wget; the collector binary is static and runs as it does in the official image.
# Its configuration is mounted by docker-compose.yml (deployment/otel-collector.yaml).

ARG COLLECTOR_IMAGE=otel/opentelemetry-collector-contrib:0.147.0

FROM ${COLLECTOR_IMAGE} AS collector

FROM busybox:1.37
COPY --from=collector /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=collector /otelcol-contrib /otelcol-contrib
USER 10001:10001
EXPOSE 4317 4318 13133
ENTRYPOINT ["/otelcol-contrib"]
CMD ["--config=/etc/otelcol/config.yaml"]
