#!/usr/bin/env bash
# Build the image with Docker and the OCI labels CI knows (version, revision,
# created, source). Used by .github/workflows/image.yml.
#
#   bash ci/image-build.sh TAG
set -euo pipefail

tag=${1:?usage: image-build.sh TAG}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version=$(sed -n 's/^__version__ *= *"\(.*\)"/\1/p' bankbot_tools/__init__.py | head -1)
revision=${GITHUB_SHA:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
source_url=${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-OWNER/bankbot-tools}

docker build \
    --build-arg "VERSION=${version:-0.0.0}" \
    --build-arg "REVISION=${revision}" \
    --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --label "org.opencontainers.image.source=${source_url}" \
    -t "$tag" .
docker image inspect "$tag" --format 'built {{.Id}} user={{.Config.User}} entrypoint={{json .Config.Entrypoint}}'
