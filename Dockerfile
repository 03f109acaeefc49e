# syntax=docker/dockerfile:1
# The fusion CLI in a container; docker-compose.yml runs it as `fusion serve`.
#
# Not built in this repository's CI (it has no Docker engine): the build stage runs the same Maven
# build as ./fusion, and the app's configuration (deploy/fusion.properties) is proven by
# ClusterCommandsTest against an in-process broker.

FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY schemas schemas
COPY model model
COPY broker broker
COPY topology topology
# every module the parent pom lists must be there for Maven to read it; only the app's are built
COPY bench bench
COPY connectors connectors
# the Maven repository is cached between builds (BuildKit), not kept in the image
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests -pl topology -am package

FROM eclipse-temurin:17-jre
RUN useradd --system --create-home --home-dir /var/lib/fusion fusion
COPY --from=build /src/topology/target/fusion.jar /opt/fusion/fusion.jar
# the lean set: serve and the other cluster commands need no embedded broker (topology/target/broker-lib stays out)
COPY --from=build /src/topology/target/lib /opt/fusion/lib
COPY deploy/fusion.properties /etc/fusion/fusion.properties
USER fusion
WORKDIR /var/lib/fusion
# exec form: java is PID 1 and gets docker stop's SIGTERM itself (serve then closes cleanly and exits 0)
ENTRYPOINT ["java", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=fusion.schema", "-jar", "/opt/fusion/fusion.jar"]
CMD ["serve", "--bootstrap-servers", "kafka:9092", "--config", "/etc/fusion/fusion.properties", "--state-dir", "/var/lib/fusion/state"]
