# Dispute Desk in a container: docker compose up -d (see docs/operations.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/dispute-desk.sqlite3 \
    LOG_DIR=/data/logs

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY templates ./templates
COPY examples ./examples
# Editable: the templates and data files are read from /app beside the code.
RUN PYTHONWARNINGS="ignore:Editable installation" pip install --no-cache-dir --quiet -e . \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin desk \
    && mkdir -p /data \
    && chown desk /data

USER desk
VOLUME ["/data"]
# The bot records a heartbeat every minute while connected; three missed ones mark it unhealthy.
HEALTHCHECK --interval=60s --timeout=15s --start-period=120s --retries=3 CMD ["dispute-desk", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["dispute-desk"]
CMD ["run"]
