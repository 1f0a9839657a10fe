package io.jthulhu.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import io.jthulhu.operator.cluster.MockCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What docker/operator.Dockerfile packages, checked without a container engine: its build stage's jlink step
 * (docker/jlink.sh with the Dockerfile's extra modules) run on the jar Maven just shaded, that runtime started
 * with the image's ENTRYPOINT, and the chart's command being that ENTRYPOINT. Runs in the package phase, after the
 * shade plugin (operator/pom.xml).
 */
class ContainerImageTest {
  private static final Path ROOT = Path.of("..");
  private static final Path DOCKERFILE = ROOT.resolve("docker/operator.Dockerfile");

  private static Path jar;
  private static List<String> entryPoint;
  private static Path jre;

  record Result(int exit, String out) {
  }

  /** The shaded jar, as the Dockerfile's COPY glob finds it. */
  private static Path shadedJar() {
    File[] jars = Path.of("target").toFile().listFiles((dir, name) -> name.matches("jthulhu-operator-.*-all\\.jar"));
    assertThat(jars).as("operator/target/jthulhu-operator-*-all.jar").hasSize(1);
    return jars[0].toPath();
  }

  static List<String> dockerfileArray(String instruction) throws IOException {
    Matcher m = Pattern.compile("(?m)^" + instruction + "\\s+(\\[.*])\\s*$").matcher(Files.readString(DOCKERFILE));
    assertThat(m.find()).as("%s in %s", instruction, DOCKERFILE).isTrue();
    return Arrays.asList(new ObjectMapper().readValue(m.group(1), String[].class));
  }

  private static List<String> jlinkModules() throws IOException {
    Matcher m = Pattern.compile("(?m)^RUN .*jlink\\.sh \\S+ /opt/jre(( [\\w.]+)*)\\s*$").matcher(Files.readString(DOCKERFILE));
    assertThat(m.find()).as("the jlink.sh step in %s", DOCKERFILE).isTrue();
    return m.group(1).isBlank() ? List.of() : Arrays.asList(m.group(1).trim().split(" "));
  }

  @BeforeAll
  static void jlinkAsTheDockerfileDoes() throws Exception {
    jar = shadedJar();
    entryPoint = dockerfileArray("ENTRYPOINT");
    List<String> modules = jlinkModules();
    // jlink takes 20-60 s: its result is kept by a key of everything it depends on (the jar's classes by CRC,
    // the script, the extra modules, this JDK), as e2e/vm/build-initramfs.sh keeps the VM's runtime.
    MessageDigest key = MessageDigest.getInstance("SHA-256");
    key.update(Files.readAllBytes(ROOT.resolve("docker/jlink.sh")));
    key.update((modules + " " + System.getProperty("java.home") + " " + Runtime.version()).getBytes(StandardCharsets.UTF_8));
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      zip.stream().forEach(e -> key.update((e.getName() + ":" + e.getCrc() + "\n").getBytes(StandardCharsets.UTF_8)));
    }
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "jthulhu", "image-test");
    jre = cache.resolve("operator-" + HexFormat.of().formatHex(key.digest()).substring(0, 16));
    if (Files.isExecutable(jre.resolve("bin/java"))) {
      return;
    }
    Files.createDirectories(cache);
    Path building = Files.createTempDirectory(cache, "building-");
    List<String> command = new ArrayList<>(List.of("sh", ROOT.resolve("docker/jlink.sh").toString(), jar.toString(),
        building.resolve("jre").toString()));
    command.addAll(modules);
    Result jlink = run(command);
    assertThat(jlink.exit()).as(jlink.out()).isZero();
    try {
      Files.move(building.resolve("jre"), jre, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      // Another checkout built the same runtime meanwhile: theirs is as good.
    }
    try (Stream<Path> left = Files.walk(building)) {
      left.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static Result run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process process = builder.start();
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(300, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** The image's ENTRYPOINT on this jlinked runtime and the jar Maven built, followed by {@code args}. */
  private static Result entryPoint(String... args) throws Exception {
    int jarAt = entryPoint.indexOf("-jar");
    List<String> command = new ArrayList<>();
    command.add(jre.resolve("bin/java").toString());
    command.addAll(entryPoint.subList(1, jarAt));
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  @Test
  void theDockerfileCopiesWhatMavenBuildsAndRunsItAsNonRoot() throws IOException {
    String dockerfile = Files.readString(DOCKERFILE);
    assertThat(dockerfile).contains("COPY operator/target/jthulhu-operator-*-all.jar /opt/jthulhu/jthulhu-operator.jar");
    assertThat(dockerfile).contains("COPY --from=jre /opt/jre /opt/java", "FROM debian:bookworm-slim");
    Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)\\s*$").matcher(dockerfile);
    assertThat(user.find()).as("a numeric USER").isTrue();
    assertThat(Integer.parseInt(user.group(1))).isPositive();
    // The chart runs the pod as the image's user, so runAsNonRoot can verify it.
    JsonNode pod = HelmChartTest.find(HelmChartTest.render(), "Deployment", "jthulhu-operator").at("/spec/template/spec");
    assertThat(pod.at("/securityContext/runAsUser").asText()).isEqualTo(user.group(1));
    assertThat(pod.at("/securityContext/runAsGroup").asText()).isEqualTo(user.group(2));
  }

  @Test
  void theChartsCommandIsTheEntryPointAndItsArgumentsAreOnesOperatorMainRuns() throws Exception {
    JsonNode container = HelmChartTest.find(HelmChartTest.render(), "Deployment", "jthulhu-operator")
        .at("/spec/template/spec/containers/0");
    List<String> command = HelmChartTest.texts(container.path("command"));
    assertThat(command).isEqualTo(entryPoint);
    assertThat(Files.readString(DOCKERFILE)).doesNotContainPattern("(?m)^CMD ");
    // No args in the pod: OperatorMain runs (rather than printing usage or refusing them).
    String[] args = HelmChartTest.texts(container.path("args")).toArray(String[]::new);
    assertThat(io.jthulhu.operator.OperatorMainAccess.commandLine(args)).isEqualTo(-1);
  }

  @Test
  void theRuntimeHasJdepsModulesAndTheTlsProvider() throws Exception {
    Result modules = run(List.of(jre.resolve("bin/java").toString(), "--list-modules"));
    assertThat(modules.exit()).isZero();
    assertThat(modules.out()).contains("java.base@", "java.net.http@", "jdk.httpserver@", "jdk.unsupported@");
    for (String module : jlinkModules()) {
      assertThat(modules.out()).contains(module + "@");
    }
    assertThat(modules.out()).doesNotContain("jdk.compiler@");
  }

  @Test
  void theEntryPointStartsAndAnswersHelp() throws Exception {
    Result help = entryPoint("--help");
    assertThat(help.exit()).as(help.out()).isZero();
    assertThat(help.out()).contains("Usage: jthulhu-operator", "POD_NAMESPACE", "LEADER_ELECTION");
    Result refused = entryPoint("--leader-election=false");
    assertThat(refused.exit()).as(refused.out()).isEqualTo(2);
  }

  @Test
  void theEntryPointRunsTheOperatorAgainstAnApiServer() throws Exception {
    try (MockCluster cluster = new MockCluster()) {
      cluster.node("node-a");
      Path kubeconfig = Files.createTempFile("image-test-kubeconfig", ".yaml");
      Files.writeString(kubeconfig, """
          apiVersion: v1
          kind: Config
          clusters: [{name: mock, cluster: {server: "%s"}}]
          contexts: [{name: mock, context: {cluster: mock, user: mock}}]
          current-context: mock
          users: [{name: mock, user: {token: image-test}}]
          """.formatted(cluster.client().getMasterUrl()));
      int port;
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
      int jarAt = entryPoint.indexOf("-jar");
      List<String> command = new ArrayList<>(List.of(jre.resolve("bin/java").toString()));
      command.addAll(entryPoint.subList(1, jarAt));
      command.addAll(List.of("-jar", jar.toString()));
      Path log = Files.createTempFile("image-test-operator", ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      // The environment the chart's Deployment gives it, a single replica without a Lease.
      builder.environment().putAll(java.util.Map.of("KUBECONFIG", kubeconfig.toString(), "HTTP_PORT", String.valueOf(port),
          "POD_NAMESPACE", MockCluster.OPERATOR_NAMESPACE, "POD_NAME", "image-test", "LEADER_ELECTION", "false"));
      Process operator = builder.start();
      try {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
            .failFast("the operator exited: " + log, () -> !operator.isAlive())
            .untilAsserted(() -> assertThat(cluster.plan("node-a")).as("node-a's plan, written by the operator").isNotNull());
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jthulhu_plan_writes");
      } finally {
        operator.destroy();
        if (!operator.waitFor(20, TimeUnit.SECONDS)) {
          operator.destroyForcibly();
        }
        Files.deleteIfExists(kubeconfig);
      }
      Files.deleteIfExists(log);
    }
  }
}
