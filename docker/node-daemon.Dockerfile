# The node daemon's image. It packages the jar Maven built on the host, because that build compiles the BPF
# scheduler with clang-19 and the host's kernel headers (scripts/setup-host.sh); from the repository root:
#   mvn -B -pl node-daemon -am package -DskipTests
#   docker build -f docker/node-daemon.Dockerfile -t ghcr.io/jthulhu/jthulhu-node-daemon:0.1.0 .

# A Java runtime with only the modules the daemon uses.
FROM eclipse-temurin:17-jdk AS jre
COPY docker/jlink.sh /build/jlink.sh
COPY node-daemon/target/jthulhu-node-daemon.jar /build/jthulhu-node-daemon.jar
# jdk.crypto.ec: TLS with the API server (ECDHE, ECDSA certificates) is a security provider jdeps does not see.
RUN JAVA_HOME=/opt/java/openjdk sh /build/jlink.sh /build/jthulhu-node-daemon.jar /opt/jre jdk.crypto.ec

FROM debian:bookworm-slim
# libbpf 1.4 from bookworm-backports, as on the test hosts: bookworm's own 1.1 lacks .struct_ops.link.
RUN echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/bookworm-backports.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends -t bookworm-backports libbpf1 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=jre /opt/jre /opt/java
COPY node-daemon/target/jthulhu-node-daemon.jar /opt/jthulhu/jthulhu-node-daemon.jar
# Root: the pod spec grants CAP_BPF, CAP_PERFMON and CAP_IPC_LOCK, which only uid 0 receives (helm/templates/node-daemon.yaml).
# The VM scenarios' JVM options (e2e/vm/scenarios/lib.sh); the chart passes the same ones.
ENTRYPOINT ["/opt/java/bin/java", "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC", "-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-jar", "/opt/jthulhu/jthulhu-node-daemon.jar"]
CMD ["run", "--kubernetes"]
