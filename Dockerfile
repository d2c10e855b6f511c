# Build:  docker build -t teardown:0.1.0 .
# Run:    see deploy/ (kubectl apply -k deploy/)

# --- build stage: the shaded jar (target/teardown.jar) ---
# Base images by exact version (never a floating tag); add @sha256:<digest> in your registry mirror to pin fully.
FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, so a source change does not download them again.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline || true
COPY src ./src
COPY examples ./examples
RUN mvn -B -q package -DskipTests
# The image runs only the operator: the jar without what only the sandbox, the simulators and the benchmark use
# (build/operator-jar.exclude; OperatorClassesIT shows the operator never loads any of it). The full jar, with
# the sandbox, stays the one `mvn package` builds.
COPY build/operator-jar.exclude ./build/
RUN mkdir /slim && cd /slim && jar xf /src/target/teardown.jar \
 && grep -v '^#' /src/build/operator-jar.exclude | sed '/^$/d' | xargs rm -rf \
 && jar --create --file /src/target/teardown-operator.jar --manifest META-INF/MANIFEST.MF -C /slim . \
 && ls -l /src/target/teardown.jar /src/target/teardown-operator.jar

# --- runtime stage: JRE only, non-root ---
FROM eclipse-temurin:17.0.16_8-jre-noble
WORKDIR /app
COPY --from=build /src/target/teardown-operator.jar /app/teardown.jar
# 65532 is the conventional "nonroot" uid/gid; the Deployment also enforces runAsNonRoot and a read-only root fs.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["java","-jar","/app/teardown.jar"]
CMD ["run"]
