# syntax=docker/dockerfile:1
# Multi-stage image of airflow-provider-dataops on the official Airflow image.
#
#   base-pre-pkg        official image + uv, project metadata copied in
#   python-pkg-refresh  re-resolves uv.lock (`make python-pkg-refresh` copies it back out)
#   python-pkg-pinned   installs exactly what uv.lock pins (the default)
#   base-post-pkg       one of the two above (ARG PYTHON_PKG_VERSIONS) + this provider + dags/
#   smoke-test          imports the provider, asks Airflow for it, parses dags/ (`make smoke-test`)
#   target-image        the image that runs (last stage, so the default target)
#
# Nothing secret is baked in: connections, the JWT secret and the Fernet key come from the
# environment at run time (see docker-compose.yaml).

ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
ARG PYTHON_PKG_VERSIONS=pinned

FROM ${AIRFLOW_IMAGE} AS base-pre-pkg
ARG UV_VERSION=0.13.9
# 50000 is the airflow user of the official image; it runs everything below.
USER 0
RUN install -d -o 50000 -g 0 /src
USER 50000
WORKDIR /src
ENV UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    PIP_NO_CACHE_DIR=1
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
COPY --chown=50000:0 pyproject.toml uv.lock README.md /src/

# The lock is exported to requirements (with hashes) and installed with the image's pip, so
# the packages land beside the official image's Airflow, as its docs recommend.
FROM base-pre-pkg AS python-pkg-refresh
RUN uv lock --upgrade \
    && uv export --quiet --frozen --no-dev --extra openlineage --no-emit-project --format requirements-txt -o /tmp/requirements.txt \
    && pip install --no-cache-dir --require-hashes -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

FROM base-pre-pkg AS python-pkg-pinned
RUN uv export --quiet --frozen --no-dev --extra openlineage --no-emit-project --format requirements-txt -o /tmp/requirements.txt \
    && pip install --no-cache-dir --require-hashes -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The stage name is chosen by a build argument, not an image tag.
# hadolint ignore=DL3006
FROM python-pkg-${PYTHON_PKG_VERSIONS} AS base-post-pkg
COPY --chown=50000:0 airflow_provider_dataops /src/airflow_provider_dataops
RUN pip install --no-cache-dir --no-deps /src
COPY --chown=50000:0 dags /opt/airflow/dags
WORKDIR /opt/airflow

FROM base-post-pkg AS smoke-test
RUN python -c "import airflow_provider_dataops as p; print('airflow-provider-dataops', p.__version__)" \
    && airflow providers get airflow-provider-dataops \
    && dataops --help >/dev/null \
    && python -c "from airflow.dag_processing.dagbag import DagBag; \
bag = DagBag('/opt/airflow/dags'); \
assert not bag.import_errors, bag.import_errors; \
assert bag.dags, 'no DAGs parsed from /opt/airflow/dags'; \
print(len(bag.dags), 'DAGs parse cleanly:', ', '.join(sorted(bag.dag_ids)))"

FROM base-post-pkg AS target-image
USER 50000
