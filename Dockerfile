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

# --- runtime stage: JRE only, non-root ---
FROM eclipse-temurin:17.0.16_8-jre-noble
WORKDIR /app
COPY --from=build /src/target/teardown.jar /app/teardown.jar
# 65532 is the conventional "nonroot" uid/gid; the Deployment also enforces runAsNonRoot and a read-only root fs.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["java","-jar","/app/teardown.jar"]
CMD ["run"]
