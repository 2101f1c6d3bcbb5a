# The report runner: `docker build -t opsbook-runner .` then e.g.
#   docker run --rm -e OPSBOOK_BACKEND=aws -e AWS_REGION=us-east-1 opsbook-runner report run daily
# The build steps live in scheduling/build-runner.sh, which CI runs without Docker.
FROM python:3.11-slim
WORKDIR /opt/opsbook
COPY . .
RUN bash scheduling/build-runner.sh /opt/opsbook/.venv
ENV PATH=/opt/opsbook/.venv/bin:$PATH
ENTRYPOINT ["opsbook"]
CMD ["report", "run", "daily"]
