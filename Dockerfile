# sparkhook container image: build on debian:bookworm, run on
# debian:bookworm-slim as UID/GID 65532 (see deploy/ for the manifests).
#
#   docker build -t ghcr.io/sparkhook/sparkhook:0.1.0 .
#
# test/deploy/run_deploy_tests.sh lints this file and checks that the build
# stage's package list equals .ci/deps's BUILD list and that CMD equals the
# Deployment's args.

FROM debian:bookworm AS build
ARG DEBIAN_FRONTEND=noninteractive
# The package list mirrors BUILD in .ci/deps (same names; the linters and
# openssl in it are kept so the two lists stay identical).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config clang clang-format clang-tidy \
      libmicrohttpd-dev libgnutls28-dev libcjson-dev libjwt-dev libssl-dev libcurl4-openssl-dev \
      openssl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release \
 && cmake --build /build -j "$(nproc)" --target sparkhook \
 && install -m 0755 /build/server/sparkhook /usr/local/bin/sparkhook \
 && /usr/local/bin/sparkhook --version

FROM debian:bookworm-slim
ARG DEBIAN_FRONTEND=noninteractive
# Runtime libraries only (their own dependencies come with them); no
# ca-certificates: sparkhook talks to the API server only, with the CA from
# its service account token mount.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libmicrohttpd12 libgnutls30 libcjson1 libjwt0 libssl3 libcurl4 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/sparkhook /usr/local/bin/sparkhook
# glibc's per-thread cache keeps freed small chunks per thread; with four
# event loops per core it holds ~50 KiB more per loop after the first few
# reconnects, and the request path allocates from its own arena anyway.
# Off, the memory stays flat (test/bench/README.md, "Noise"); the benchmark
# runs sparkhook with this same line.
ENV GLIBC_TUNABLES=glibc.malloc.tcache_count=0
USER 65532:65532
# 10250: HTTPS webhook (--listen); 8081: plain-HTTP /healthz and /readyz
# (--probe-listen).
EXPOSE 10250 8081
# Exec form: no shell runs, sparkhook is PID 1 and gets SIGTERM directly.
ENTRYPOINT ["/usr/local/bin/sparkhook"]
# The same arguments as the Deployment (deploy/base/deployment.yaml): the
# Secret sparkhook-tls at /etc/sparkhook/tls, the ConfigMap at
# /etc/sparkhook/config.
CMD ["serve", "--listen", "0.0.0.0:10250", "--tls-cert", "/etc/sparkhook/tls/tls.crt", "--tls-key", "/etc/sparkhook/tls/tls.key", "--config", "/etc/sparkhook/config/config.json", "--probe-listen", "0.0.0.0:8081"]
