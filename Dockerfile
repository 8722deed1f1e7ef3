# gitops-status on the official Tomcat 10.1 / Temurin JRE 17 image.
#
# Built after `mvn -DskipTests package` (it copies target/gitops-status.war):
#   docker build -t gitops-status-api:2.1.0 .
#   docker run -d -p 5000:5000 -v /var/lib/gitops-status:/data \
#     --name gitops-status-api gitops-status-api:2.1.0
# A bind-mounted host folder must be writable by UID 10001
# (chown -R 10001:10001 /var/lib/gitops-status), else /ready answers 503.
#
# No Docker engine runs on the project's CI machines, so this file is not
# built or tested there.
FROM tomcat:10.1-jre17-temurin

# Unprivileged user; deploy/kubernetes.yaml uses the same ids.
ARG APP_UID=10001
ARG APP_GID=10001

# The application reads STATUS_FILE when no context parameter or system
# property names the data file.
ENV STATUS_FILE=/data/status.json

WORKDIR /usr/local/tomcat

# - no default web applications (the official image keeps them in webapps.dist)
# - HTTP connector on 5000, as in the seed README's URLs and Kubernetes manifest;
#   shutdown port disabled (the container stops on SIGTERM)
# - the user owns what Tomcat writes: webapps (WAR unpacking), work, temp,
#   logs, conf/Catalina (per-host config folder), and /data
RUN set -eux; \
    rm -rf webapps webapps.dist; \
    mkdir -p webapps work temp logs conf/Catalina/localhost /data; \
    sed -i -e 's/port="8080"/port="5000"/g' \
           -e 's/<Server port="8005"/<Server port="-1"/' conf/server.xml; \
    grep -q '<Connector port="5000"' conf/server.xml; \
    if grep -q 'port="8080"' conf/server.xml; then exit 1; fi; \
    groupadd --system --gid "$APP_GID" gitops; \
    useradd --system --uid "$APP_UID" --gid "$APP_GID" --no-create-home \
            --home-dir /nonexistent --shell /usr/sbin/nologin gitops; \
    chown -R "$APP_UID:$APP_GID" webapps work temp logs conf/Catalina /data

# ROOT.war: the application answers at / (http://host:5000/status ...).
COPY target/gitops-status.war webapps/ROOT.war

VOLUME /data
EXPOSE 5000
USER ${APP_UID}:${APP_GID}
# CMD is the base image's ["catalina.sh", "run"].
