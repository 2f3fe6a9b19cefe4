FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CRM_HOST=0.0.0.0

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY api ./api
COPY schema ./schema
COPY resolvers ./resolvers
COPY db ./db
RUN pip install . && useradd --create-home --uid 10001 crm
USER crm
WORKDIR /home/crm

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["crm", "serve"]
