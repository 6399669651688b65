# hero_exporter container image. Build it with `make image` (buildah, no registry needed):
# the image is FROM scratch and everything in it comes from the build context that
# `make image` prepares in .build/image -- the static binary (CGO_ENABLED=0), the build
# host's CA bundle (vendor APIs are HTTPS), /etc/passwd and /etc/group with the non-root
# user `hero` (10001), the demo configuration and the empty store and tmp directories.
FROM scratch

ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="hero_exporter" \
      org.opencontainers.image.description="Prometheus exporter for on-call load, sleep interruptions and quiet exceptions" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/hero-exporter/hero_exporter" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

COPY etc/passwd etc/group /etc/
COPY etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY etc/hero_exporter/hero.yml /etc/hero_exporter/hero.yml
COPY LICENSE /LICENSE
COPY tmp /tmp
COPY --chown=10001:10001 var/lib/hero_exporter /var/lib/hero_exporter
COPY hero_exporter /bin/hero_exporter

ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 10001:10001
WORKDIR /var/lib/hero_exporter
# The SQLite store (history, cursors, log positions): mount a persistent volume here.
VOLUME ["/var/lib/hero_exporter"]
EXPOSE 9863
ENTRYPOINT ["/bin/hero_exporter"]
CMD ["--config.file=/etc/hero_exporter/hero.yml", "--storage.path=/var/lib/hero_exporter"]
