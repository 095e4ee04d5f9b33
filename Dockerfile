# bankbot-tools: nightly batch jobs and CLI in a slim, non-root image.
#
#   docker build -t bankbot .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD/data:/data" bankbot
#
# Stage 1 builds the wheel and installs it with its dependencies into a virtual
# environment; stage 2 copies only that environment and the batch/ folder (data
# and scripts, not in the wheel). No compilers, wheels or pip caches reach the
# final image. Both stages use the same base so the venv's interpreter path
# matches. (ci/ship-checks.sh builds this unchanged Dockerfile on a local
# stand-in for the base, made from Debian bookworm's own python3.)

FROM python:3.12-slim-bookworm AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bankbot_tools/ bankbot_tools/

# The wheel, not an editable install: package data and the entry point must be in it.
RUN python -m pip wheel --no-deps --wheel-dir /dist . \
 && python -m venv --without-pip /opt/venv \
 && python -m pip --python /opt/venv/bin/python install /dist/*.whl \
 && /opt/venv/bin/bankbot --version


FROM python:3.12-slim-bookworm

ARG VERSION=0.0.0
ARG NUMBA_CPU_NAME=generic
ARG REVISION=unknown
ARG CREATED=unknown

LABEL org.opencontainers.image.title="bankbot-tools" \
      org.opencontainers.image.description="Cent-exact loan maths, compliance prompts, LLM tool schemas and nightly portfolio batch jobs for a banking voicebot." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/python:3.12-slim-bookworm"

# numba caches compiled kernels; site-packages is read-only to the runtime user and
# HOME may be unwritable (docker run --user), so the cache lives in /tmp. It is filled
# at build time (below), so a container's first run loads the kernel instead of
# compiling it. NUMBA_CPU_NAME=generic makes that cache valid on any x86-64 host, not
# only the build machine's CPU; the price is the level-loan block's SIMD vectors: the
# month loop runs about 3x slower than with --build-arg NUMBA_CPU_NAME=x86-64-v3, which
# needs AVX2 on every host that runs the image (most servers since 2013; without it the
# process dies of an illegal instruction). The image has no C compiler, so
# `bankbot batch warm-up` fills numba's cache and says the ahead-of-time loops are not
# built. A --tmpfs /tmp or a read-only root file system hides the cache: then runs compile.
ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NUMBA_CACHE_DIR=/tmp/numba-cache \
    NUMBA_CPU_NAME=${NUMBA_CPU_NAME}

# Numeric UID/GID so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --gid 10001 bankbot \
 && useradd --uid 10001 --gid 10001 --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin bankbot \
 && mkdir -p /data \
 && chown 10001:10001 /data

COPY --from=builder /opt/venv /opt/venv
COPY batch/ /opt/bankbot/batch/

# Compile the kernel into the numba cache now; any runtime user may read and refresh it.
RUN bankbot --log-file /dev/null batch warm-up \
 && chmod -R a+rwX /tmp/numba-cache

USER 10001:10001
WORKDIR /data

ENTRYPOINT ["bankbot"]
# The bundled sample job: reads the sample portfolio, writes to the mounted /data.
# Exit codes carry the outcome: 0 ok, 1 job failed or too many rejects, 2 bad input or usage.
CMD ["batch", "run", "/opt/bankbot/batch/sample_portfolio.csv", \
     "--out", "/data/out/summary.parquet", \
     "--rejects", "/data/out/rejects.csv", \
     "--manifest", "/data/out/manifest.json"]
