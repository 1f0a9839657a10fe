package io.jthulhu.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The operator takes its settings from the environment: no arguments run it, --help explains, others are refused. */
class OperatorMainCommandLineTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int commandLine(String... args) {
    return OperatorMain.commandLine(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void noArgumentsRun() {
    assertThat(commandLine()).isEqualTo(-1);
    assertThat(out.size() + err.size()).isZero();
  }

  @Test
  void helpListsTheEnvironmentAndExitsZero() {
    assertThat(commandLine("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: jthulhu-operator")
        .contains("POD_NAMESPACE", "POD_NAME", "HTTP_PORT", "LEADER_ELECTION");
    assertThat(commandLine("-h")).isZero();
  }

  @Test
  void anUnknownArgumentIsRefusedNotIgnored() {
    assertThat(commandLine("--leader-election=false")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unexpected argument(s): --leader-election=false");
    assertThat(commandLine("--help", "extra")).isEqualTo(2);
  }
}
