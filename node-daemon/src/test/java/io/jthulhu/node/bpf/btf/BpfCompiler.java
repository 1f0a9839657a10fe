package io.jthulhu.node.bpf.btf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Compiles C source to a BPF ELF object with clang (the same toolchain that builds the scheduler):
 * {@code -Djthulhu.clang=...} or $CLANG, else clang-19 from PATH.
 */
final class BpfCompiler {
    private BpfCompiler() {
    }

    static byte[] compile(Path workDir, String fileName, String source, boolean withDebugInfo, String... extraArgs)
            throws IOException, InterruptedException {
        Path c = workDir.resolve(fileName);
        Files.writeString(c, source, StandardCharsets.UTF_8);
        Path o = workDir.resolve(fileName.replace(".c", ".o"));
        List<String> cmd = new ArrayList<>(List.of(clang(), "-O2", "-target", "bpf", "-c"));
        if (withDebugInfo) {
            cmd.add("-g");
        }
        cmd.addAll(List.of(extraArgs));
        cmd.addAll(List.of(c.toString(), "-o", o.toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.get(0) + " (the BPF toolchain the build needs;"
                    + " set -Djthulhu.clang or $CLANG): " + e.getMessage(), e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("clang timed out: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("clang failed (" + p.exitValue() + "): " + cmd + "\n" + output);
        }
        return Files.readAllBytes(o);
    }

    private static String clang() {
        String fromProperty = System.getProperty("jthulhu.clang");
        if (fromProperty != null && !fromProperty.isBlank()) {
            return fromProperty;
        }
        String fromEnv = System.getenv("CLANG");
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : "clang-19";
    }
}
