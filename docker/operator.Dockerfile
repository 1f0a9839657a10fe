# The operator's image. It packages the shaded jar Maven built on the host; from the repository root:
#   mvn -B -pl operator -am package -DskipTests
#   docker build -f docker/operator.Dockerfile -t ghcr.io/jthulhu/jthulhu-operator:0.1.0 .

# A Java runtime with only the modules the operator uses.
FROM eclipse-temurin:17-jdk AS jre
COPY docker/jlink.sh /build/jlink.sh
COPY operator/target/jthulhu-operator-*-all.jar /build/jthulhu-operator.jar
# jdk.crypto.ec: TLS with the API server (ECDHE, ECDSA certificates) is a security provider jdeps does not see.
RUN JAVA_HOME=/opt/java/openjdk sh /build/jlink.sh /build/jthulhu-operator.jar /opt/jre jdk.crypto.ec

FROM debian:bookworm-slim
COPY --from=jre /opt/jre /opt/java
COPY operator/target/jthulhu-operator-*-all.jar /opt/jthulhu/jthulhu-operator.jar
# Not root: the operator only talks to the API server (the chart's runAsUser is the same uid).
USER 65532:65532
ENTRYPOINT ["/opt/java/bin/java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/jthulhu/jthulhu-operator.jar"]
