# support-coach in a container: `docker compose up -d` (see compose.yaml), or
#   docker build -t support-coach .
#   docker run -d --env-file .env -v coach-data:/data -p 3000:3000 support-coach          # HTTP mode
#   docker run -d --env-file .env -v coach-data:/data support-coach run                   # Socket Mode
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md manifest.yaml ./
COPY bot ./bot
COPY prompts ./prompts
RUN pip install . && rm -rf /src

# A user without a login or a home to write to; the database lives on the volume.
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin coach \
    && mkdir -p /data && chown coach:coach /data
VOLUME ["/data"]
ENV COACH_DB=/data/coach.db \
    PORT=3000
WORKDIR /data
USER coach

EXPOSE 3000
# HTTP mode's /healthz (the store answers). Socket Mode has no HTTP server: compose.yaml
# turns the check off for it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["python", "-m", "bot.healthcheck"]

ENTRYPOINT ["support-coach"]
CMD ["run", "--http", "--host", "0.0.0.0"]
