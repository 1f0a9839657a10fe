package io.jthulhu.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.jthulhu.crd.KernelSupport;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanSpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.ZipFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What docker/node-daemon.Dockerfile packages, checked without a container engine: its build stage's jlink step
 * (docker/jlink.sh with the Dockerfile's extra modules) run on the jar Maven just shaded, and that runtime started
 * with the image's ENTRYPOINT. Runs in the package phase, after the shade plugin (node-daemon/pom.xml).
 */
class ContainerImageTest {
    private static final Path ROOT = ChartCommandLineTest.ROOT;
    private static final Path DOCKERFILE = ROOT.resolve("docker/node-daemon.Dockerfile");
    private static final Path JAR = Path.of("target", "jthulhu-node-daemon.jar");
    private static List<String> entryPoint;
    private static Path jre;

    record Result(int exit, String out) {
    }

    @BeforeAll
    static void jlinkAsTheDockerfileDoes() throws Exception {
        entryPoint = ChartCommandLineTest.dockerfileArray(DOCKERFILE, "ENTRYPOINT");
        List<String> modules = jlinkModules();
        // jlink takes 20-60 s: its result is kept by a key of everything it depends on (the jar's classes by CRC,
        // the script, the extra modules, this JDK), as e2e/vm/build-initramfs.sh keeps the VM's runtime.
        MessageDigest key = MessageDigest.getInstance("SHA-256");
        key.update(Files.readAllBytes(ROOT.resolve("docker/jlink.sh")));
        key.update((modules + " " + System.getProperty("java.home") + " " + Runtime.version()).getBytes(StandardCharsets.UTF_8));
        try (ZipFile zip = new ZipFile(JAR.toFile())) {
            zip.stream().forEach(e -> key.update((e.getName() + ":" + e.getCrc() + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "jthulhu", "image-test");
        jre = cache.resolve("node-daemon-" + HexFormat.of().formatHex(key.digest()).substring(0, 16));
        if (Files.isExecutable(jre.resolve("bin/java"))) {
            return;
        }
        Files.createDirectories(cache);
        Path building = Files.createTempDirectory(cache, "building-");
        List<String> command = new ArrayList<>(List.of("sh", ROOT.resolve("docker/jlink.sh").toString(), JAR.toString(),
                building.resolve("jre").toString()));
        command.addAll(modules);
        Result jlink = run(command, 300);
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

    /** The modules the Dockerfile's RUN line adds to jdeps' list. */
    private static List<String> jlinkModules() throws IOException {
        Matcher m = Pattern.compile("(?m)^RUN .*jlink\\.sh \\S+ /opt/jre(( [\\w.]+)*)\\s*$").matcher(Files.readString(DOCKERFILE));
        assertThat(m.find()).as("the jlink.sh step in %s", DOCKERFILE).isTrue();
        return m.group(1).isBlank() ? List.of() : Arrays.asList(m.group(1).trim().split(" "));
    }

    static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The image's ENTRYPOINT on this jlinked runtime and the jar Maven built, followed by {@code args}. */
    private static Result entryPoint(String... args) throws Exception {
        int jar = entryPoint.indexOf("-jar");
        List<String> command = new ArrayList<>();
        command.add(jre.resolve("bin/java").toString());
        command.addAll(entryPoint.subList(1, jar));
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(List.of(args));
        return run(command, 60);
    }

    @Test
    void theDockerfileCopiesWhatMavenBuildsAndRunsItFromTheJlinkedRuntime() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        assertThat(dockerfile).contains("COPY --from=jre /opt/jre /opt/java");
        assertThat(entryPoint.get(0)).isEqualTo("/opt/java/bin/java");
        assertThat(entryPoint.get(entryPoint.size() - 1)).isEqualTo("/opt/jthulhu/jthulhu-node-daemon.jar");
        assertThat(dockerfile).contains("COPY node-daemon/target/jthulhu-node-daemon.jar /opt/jthulhu/jthulhu-node-daemon.jar");
        // libbpf.so.1 (1.4+) from the distribution, loaded by JNA at attach time.
        assertThat(dockerfile).containsPattern("apt-get install .*-t bookworm-backports libbpf1");
        assertThat(dockerfile).contains("FROM debian:bookworm-slim");
    }

    @Test
    void theRuntimeHasJdepsModulesAndTheTlsProvider() throws Exception {
        Result modules = run(List.of(jre.resolve("bin/java").toString(), "--list-modules"), 60);
        assertThat(modules.exit()).isZero();
        assertThat(modules.out()).contains("java.base@", "java.net.http@", "jdk.httpserver@", "jdk.unsupported@");
        for (String module : jlinkModules()) {
            assertThat(modules.out()).contains(module + "@");
        }
        // A runtime, not a JDK: no compiler, no jmods.
        assertThat(modules.out()).doesNotContain("jdk.compiler@");
        assertThat(jre.resolve("jmods")).doesNotExist();
    }

    @Test
    void theEntryPointStartsAndAnswersHelp() throws Exception {
        Result help = entryPoint("--help");
        assertThat(help.exit()).as(help.out()).isZero();
        assertThat(help.out()).contains("Usage: jthulhu-node", "run", "probe");
        Result runHelp = entryPoint("run", "--help");
        assertThat(runHelp.exit()).as(runHelp.out()).isZero();
        assertThat(runHelp.out()).contains("--kubernetes", "--http-port", "--state-dir");
    }

    @Test
    void theEntryPointProbesTheKernel() throws Exception {
        // Reads sysfs only: 0 where sched_ext exists, 4 where it does not.
        Result probe = entryPoint("probe");
        assertThat(probe.exit()).as(probe.out()).isIn(0, NodeDaemonMain.EXIT_UNSUPPORTED);
        assertThat(probe.out()).contains("JTHULHU probe sched_ext=");
    }

    @Test
    void theEntryPointRunsTheDaemonAgainstAnApiServer() throws Exception {
        // Where sched_ext exists (and this runs as root) the daemon would attach a scheduler to the build machine.
        Assumptions.assumeFalse(Files.exists(Path.of("/sys/kernel/sched_ext")), "this host has sched_ext");
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesMixedDispatcher(new HashMap<>()), false);
        server.init();
        Path kubeconfig = Files.createTempFile("image-test-kubeconfig", ".yaml");
        Path state = Files.createTempDirectory("image-test-state");
        Path log = Files.createTempFile("image-test-daemon", ".log");
        Process daemon = null;
        try (KubernetesClient client = server.createClient()) {
            try (InputStream crd = ContainerImageTest.class.getResourceAsStream("/META-INF/fabric8/nodeschedulingplans.jthulhu.io-v1.yml")) {
                client.resource(client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
            }
            NodeSchedulingPlan plan = new NodeSchedulingPlan();
            plan.setMetadata(new ObjectMetaBuilder().withName("node-a").build());
            plan.setSpec(new NodeSchedulingPlanSpec("node-a", new ArrayList<>(), new ArrayList<>()));
            client.resource(plan).create();
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: mock, cluster: {server: "%s"}}]
                    contexts: [{name: mock, context: {cluster: mock, user: mock}}]
                    current-context: mock
                    users: [{name: mock, user: {token: image-test}}]
                    """.formatted(client.getMasterUrl()));
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            // The chart's arguments, with this test's port and state directory; no mlockall outside a pod's limits.
            List<String> args = List.of("run", "--kubernetes", "--http-port=" + port, "--state-dir=" + state, "--no-mlock");
            int jarAt = entryPoint.indexOf("-jar");
            List<String> command = new ArrayList<>(List.of(jre.resolve("bin/java").toString()));
            command.addAll(entryPoint.subList(1, jarAt));
            command.addAll(List.of("-jar", JAR.toString()));
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(Map.of("KUBECONFIG", kubeconfig.toString(), "NODE_NAME", "node-a"));
            daemon = builder.start();
            Process running = daemon;
            // Its status reaches the plan: the informer, the status writer and the JDK HTTP client work on this runtime.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .failFast("the daemon exited: " + log, () -> !running.isAlive())
                    .untilAsserted(() -> {
                        NodeSchedulingPlan reported = client.resources(NodeSchedulingPlan.class).withName("node-a").get();
                        assertThat(reported.getStatus()).as("node-a's status").isNotNull();
                        assertThat(reported.getStatus().getKernelSupport()).isEqualTo(KernelSupport.Unsupported);
                    });
            HttpClient http = HttpClient.newHttpClient();
            for (String path : List.of("/healthz", "/readyz", "/metrics")) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
                if (path.equals("/metrics")) {
                    assertThat(response.body()).contains("jthulhu_scheduler_attached");
                }
            }
        } finally {
            if (daemon != null) {
                daemon.destroy();
                if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly();
                }
            }
            server.destroy();
            Files.deleteIfExists(kubeconfig);
            try (Stream<Path> left = Files.walk(state)) {
                left.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.deleteIfExists(log);
    }
}
