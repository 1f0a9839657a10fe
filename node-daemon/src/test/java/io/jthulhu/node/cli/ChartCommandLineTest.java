package io.jthulhu.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The chart's DaemonSet runs a command line this daemon accepts: its arguments are parsed by the daemon's own
 * picocli model, its java command is the image's ENTRYPOINT, and its JVM options are the VM scenarios'.
 */
class ChartCommandLineTest {
    static final Path ROOT = Path.of("..");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode container(String... sets) throws IOException {
        var template = new Helm(ROOT.resolve("helm")).template().withName("jthulhu").withNamespace("jthulhu-system");
        for (int i = 0; i < sets.length; i += 2) {
            template.set(sets[i], sets[i + 1]);
        }
        try (var parser = YAML.getFactory().createParser(template.call())) {
            var documents = YAML.readValues(parser, JsonNode.class);
            while (documents.hasNext()) {
                JsonNode doc = documents.next();
                if (doc != null && doc.path("kind").asText().equals("DaemonSet")) {
                    return doc.at("/spec/template/spec/containers/0");
                }
            }
        }
        throw new AssertionError("no DaemonSet rendered");
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    /** The `run` options the daemon would start with, parsed exactly as NodeDaemonMain.main parses them. */
    static NodeDaemonMain.Run parseRun(List<String> args) {
        CommandLine.ParseResult result = new CommandLine(new NodeDaemonMain()).parseArgs(args.toArray(String[]::new));
        assertThat(result.subcommand()).as("a sub-command in %s", args).isNotNull();
        assertThat(result.subcommand().commandSpec().name()).isEqualTo("run");
        assertThat(result.subcommand().unmatched()).isEmpty();
        return (NodeDaemonMain.Run) result.subcommand().commandSpec().userObject();
    }

    /** The exec-form (JSON array) value of a Dockerfile instruction. */
    static List<String> dockerfileArray(Path dockerfile, String instruction) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + instruction + "\\s+(\\[.*])\\s*$").matcher(Files.readString(dockerfile));
        assertThat(m.find()).as("%s in %s", instruction, dockerfile).isTrue();
        return Arrays.asList(new ObjectMapper().readValue(m.group(1), String[].class));
    }

    /** The JVM options the VM scenarios start the daemon with (JVM_OPTS in e2e/vm/scenarios/lib.sh). */
    static List<String> vmScenarioJvmOptions() throws IOException {
        Matcher m = Pattern.compile("(?m)^JVM_OPTS=\"([^\"$]*)").matcher(Files.readString(ROOT.resolve("e2e/vm/scenarios/lib.sh")));
        assertThat(m.find()).as("JVM_OPTS in lib.sh").isTrue();
        return Arrays.asList(m.group(1).trim().split("\\s+"));
    }

    /** The options between the java binary and -jar. */
    private static List<String> jvmOptions(List<String> command) {
        int jar = command.indexOf("-jar");
        assertThat(jar).as("-jar in %s", command).isPositive();
        return command.subList(1, jar);
    }

    @Test
    void theDefaultArgumentsRunTheSchedulerWithThePlanFromKubernetes() throws IOException {
        JsonNode container = container();
        List<String> args = texts(container.path("args"));
        NodeDaemonMain.Run run = parseRun(args);
        assertThat(run.kubernetes).isTrue();
        assertThat(run.planFile).isNull();
        // Where the chart serves the probes and mounts the host paths is where the daemon looks.
        assertThat(run.httpPort).isEqualTo(container.at("/ports/0/containerPort").asInt());
        List<String> mounts = texts(new ObjectMapper().valueToTree(container.path("volumeMounts").findValues("mountPath")));
        assertThat(mounts).contains(run.stateDir.toString(), run.cgroupRoot.toString());
        // The node's name, and so its plan's, comes from the downward API.
        assertThat(run.nodeName).isNull();
        JsonNode env = container.path("env").get(0);
        assertThat(env.path("name").asText()).isEqualTo("NODE_NAME");
        assertThat(env.at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("spec.nodeName");
    }

    @Test
    void extraArgumentsAndOtherValuesReachTheDaemonsOptions() throws IOException {
        JsonNode container = container("nodeDaemon.httpPort", "9500", "nodeDaemon.stateDir", "/var/lib/jthulhu-b",
                "nodeDaemon.extraArgs[0]", "--cgroup-driver=systemd", "nodeDaemon.extraArgs[1]", "--kubepods-cgroup=kubepods.slice",
                "nodeDaemon.extraArgs[2]", "--no-pod-stats");
        NodeDaemonMain.Run run = parseRun(texts(container.path("args")));
        assertThat(run.kubernetes).isTrue();
        assertThat(run.httpPort).isEqualTo(9500);
        assertThat(run.stateDir).isEqualTo(Path.of("/var/lib/jthulhu-b"));
        assertThat(run.cgroupDriver).isEqualTo("systemd");
        assertThat(run.kubepodsCgroup).isEqualTo(Path.of("kubepods.slice"));
        assertThat(run.noPodStats).isTrue();
    }

    @Test
    void theCommandIsTheImagesEntryPointWithTheVmScenariosJvm() throws IOException {
        List<String> command = texts(container().path("command"));
        List<String> entryPoint = dockerfileArray(ROOT.resolve("docker/node-daemon.Dockerfile"), "ENTRYPOINT");
        assertThat(command.get(0)).isEqualTo(entryPoint.get(0));
        assertThat(command.subList(command.indexOf("-jar"), command.size()))
                .isEqualTo(entryPoint.subList(entryPoint.indexOf("-jar"), entryPoint.size()))
                .hasSize(2);
        List<String> vm = vmScenarioJvmOptions();
        assertThat(vm).contains("-XX:+AlwaysPreTouch");
        assertThat(jvmOptions(entryPoint)).isEqualTo(vm);
        // The chart adds only where JNA unpacks its library (the root file system is read-only there).
        List<String> chart = new ArrayList<>(jvmOptions(command));
        assertThat(chart.remove("-Djna.tmpdir=/tmp/jna")).isTrue();
        assertThat(chart).isEqualTo(vm);
        // The image's default arguments are the chart's first ones, and a valid `run` on their own.
        List<String> cmd = dockerfileArray(ROOT.resolve("docker/node-daemon.Dockerfile"), "CMD");
        assertThat(texts(container().path("args")).subList(0, cmd.size())).isEqualTo(cmd);
        assertThat(parseRun(cmd).kubernetes).isTrue();
    }
}
