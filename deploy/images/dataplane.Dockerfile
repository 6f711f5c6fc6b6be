# syntax=docker/dockerfile:1
# Image of the Weir dataplane (Netty proxy): ghcr.io/weir-dev/weir-dataplane:<tag>
#
# NOT BUILT OR TESTED HERE: the machine this was written on has no Docker engine and no registry access.
# DeployManifestsTest only checks this file's base image, user and ENTRYPOINT against the manifests.
#
# Build from the repository root after `mvn package` (context = repository root):
#   docker build -f deploy/images/dataplane.Dockerfile -t ghcr.io/weir-dev/weir-dataplane:dev .
# DIST is the directory the Maven build assembles for this module: DIST/lib/ holds the module's jar and all
# of its runtime dependency jars (the launcher puts lib/* on the class path).
FROM eclipse-temurin:17-jre

ARG DIST=dataplane/target/dist

# The launcher and the jars are owned by root and read-only for the runtime user.
COPY --chown=0:0 --chmod=0755 bin/weir /opt/weir/bin/weir
COPY --chown=0:0 ${DIST}/lib/ /opt/weir/lib/

# --state-dir: the last good snapshot (the Deployment mounts an emptyDir here; the directory also exists so
# that a plain `docker run` works).
RUN mkdir -p /var/lib/weir && chown 65532:65532 /var/lib/weir

# Non-root, numeric (so that Kubernetes' runAsNonRoot can verify it without a passwd lookup); the manifests
# run the root filesystem read-only and mount writable emptyDirs on /tmp and /var/lib/weir.
USER 65532:65532
WORKDIR /opt/weir
EXPOSE 8080 8443 9901

ENTRYPOINT ["/opt/weir/bin/weir", "dataplane"]
