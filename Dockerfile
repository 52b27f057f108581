# The warmmap API. Build context: this repository. See docker-compose.yml.

# The web map's MapLibre GL JS from npm, as `make assets` installs it (web/package-lock.json).
FROM node:20-slim AS assets
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
WORKDIR /src
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY migrations ./migrations
COPY geo_api ./geo_api
COPY etl ./etl
COPY tiles ./tiles
COPY warmmap_cli ./warmmap_cli
COPY --from=assets /web/node_modules/maplibre-gl/dist/maplibre-gl-csp.js \
     /web/node_modules/maplibre-gl/dist/maplibre-gl-csp-worker.js \
     /web/node_modules/maplibre-gl/dist/maplibre-gl.css \
     /web/node_modules/maplibre-gl/dist/LICENSE.txt \
     ./geo_api/webmap/static/vendor/
# A plain install, as a user's: the wheel carries the migrations (geo_api/migrations links to
# migrations/), so the image needs no checkout at run time.
RUN pip install --no-cache-dir . && rm -rf /src
WORKDIR /app
EXPOSE 8000
# Apply migrations, then serve on all interfaces inside the container.
CMD ["sh", "-c", "warmmap db upgrade && warmmap serve --host 0.0.0.0 --port 8000"]
