package io.jthulhu.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command in its own JVM, through main, as the jar runs it: exit status, stdout and stdin are the
 * process's own. (The shaded jar itself is built after the tests; scripts/validate.sh runs it.)
 */
class ValidateProcessTest {
  @TempDir
  Path dir;

  record Result(int exitCode, String out, String err) {
  }

  @Test
  void validExamplesExitZeroWithNothingOnStdout() throws Exception {
    Result result = java(null, "../examples/idle-backups.yaml", "../examples/batch-analytics.yaml", "../examples/gitops/policies");
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("4 documents checked: 0 errors, 0 warnings\n");
  }

  @Test
  void invalidStdinExitsOneNamingTheField() throws Exception {
    Result result = java("""
        apiVersion: jthulhu.io/v1alpha1
        kind: SchedulingPolicy
        metadata: {name: piped}
        spec: {priority: -1, scheduling: {class: Normal}}
        """, "-");
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEqualTo("<stdin>#1 spec.priority: error: must be >= 0\n");
  }

  @Test
  void hostileInputExitsTwoWithoutAStackTrace() throws Exception {
    Path binary = dir.resolve("x.yaml");
    Files.write(binary, new byte[] {0, (byte) 0xfe, (byte) 0xff});
    Result result = java(null, binary.toString());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.out()).startsWith(binary + ": error: binary data");
    assertThat(result.err()).doesNotContain("Exception").doesNotContain("SLF4J");
  }

  private static Result java(String stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ValidateCommand.class.getName()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("validate-out", ".txt");
    Path err = Files.createTempFile("validate-err", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    Process process = builder.start();
    if (stdin != null) {
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("finished within a minute").isTrue();
    try {
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.delete(out);
      Files.delete(err);
    }
  }
}
