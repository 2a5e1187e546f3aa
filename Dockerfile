# Production image: gunicorn (web), celery worker and beat share it.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DUI_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        poppler-utils tesseract-ocr tesseract-ocr-fra \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 1000 dui
WORKDIR /app
COPY pyproject.toml README.md ./
COPY requirements ./requirements
RUN pip install --no-cache-dir --require-hashes -r requirements/production.txt
COPY dui ./dui
COPY habilitations ./habilitations
COPY administration ./administration
COPY usagers ./usagers
COPY admission ./admission
RUN pip install --no-cache-dir --no-deps .
COPY . .
RUN DJANGO_SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput
USER dui
EXPOSE 8000
# no default command: docker-compose.yml names each service's (gunicorn behind the TLS proxy, celery)
CMD ["python", "manage.py", "check", "--deploy"]
