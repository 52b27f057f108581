# The warmmap API. Build context: this repository. See docker-compose.yml.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md alembic.ini ./
COPY geo_api ./geo_api
COPY etl ./etl
COPY tiles ./tiles
COPY migrations ./migrations
RUN pip install --no-cache-dir -e .
EXPOSE 8000
# Apply migrations, then serve on all interfaces inside the container.
CMD ["sh", "-c", "warmmap db upgrade && warmmap serve --host 0.0.0.0 --port 8000"]
