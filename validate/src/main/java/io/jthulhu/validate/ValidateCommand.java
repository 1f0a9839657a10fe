package io.jthulhu.validate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jthulhu.crd.manifest.ManifestReader;
import io.jthulhu.crd.schema.CrdSchemas;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jthulhu-validate PATH...}: checks Jthulhu manifests before they reach a cluster, for GitOps
 * pipelines. Exit 0 when every document is valid (warnings allowed), 1 when any is invalid, 2 when
 * any input cannot be read as manifests at all (or the command line is wrong).
 */
@Command(name = "jthulhu-validate", mixinStandardHelpOptions = true, version = "jthulhu-validate 0.1.0",
    description = {
        "Validates SchedulingPolicy and NodeSchedulingPlan manifests: apiVersion and kind, the CRD's "
            + "structural schema and CEL rules, then the operator's rules.",
        "Prints one line per finding: FILE#DOCUMENT FIELD: error|warning: REASON",
        "Exit status: 0 valid (warnings allowed), 1 invalid, 2 unreadable input or bad usage."})
public final class ValidateCommand implements Callable<Integer> {
  static final int VALID = 0;
  static final int INVALID = 1;
  static final int UNREADABLE = 2;
  private static final String STDIN = "-";
  private static final int MAX_DIRECTORY_DEPTH = 32;

  enum Format { TEXT, JSON }

  @Parameters(arity = "1..*", paramLabel = "PATH",
      description = "Manifest files (.yaml, .yml, .json), directories (searched recursively for them), or - for stdin.")
  private List<String> paths;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default) or json: a JSON array of findings.")
  private Format format;

  private final InputStream stdin;
  private final PrintStream out;
  private final PrintStream err;

  ValidateCommand(InputStream stdin, PrintStream out, PrintStream err) {
    this.stdin = stdin;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    // Fabric8 and CEL log through SLF4J, which would otherwise warn on stderr that it has no logger
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    System.exit(run(args, System.in, System.out, System.err));
  }

  /** Runs the command as {@code main} does, without exiting; returns the exit status. */
  static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
    CommandLine commandLine = new CommandLine(new ValidateCommand(stdin, out, err))
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true));
    commandLine.getCommandSpec().exitCodeOnInvalidInput(UNREADABLE);
    // never a stack trace: an unexpected failure is reported in one line like any other unreadable input
    commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
      err.println("jthulhu-validate: internal error: " + e);
      return UNREADABLE;
    });
    return commandLine.execute(args);
  }

  @Override
  public Integer call() {
    // created on the first readable document: loading the CRDs and CEL takes most of a second, and
    // input that cannot be read should be refused without waiting for that
    DocumentValidator validator = null;
    ManifestReader reader = new ManifestReader();
    List<Finding> findings = new ArrayList<>();
    int documents = 0;
    for (String path : paths) {
      for (Input input : inputs(path, findings)) {
        List<ManifestReader.Document> read;
        try (InputStream in = open(input)) {
          read = reader.read(in);
        } catch (IOException e) {
          findings.add(Finding.unreadable(input.name(), 0, describe(e)));
          continue;
        }
        if (read.isEmpty()) {
          findings.add(Finding.warning(input.name(), 0, null, "no documents"));
        }
        for (ManifestReader.Document document : read) {
          if (document.isReadable()) {
            documents++;
            validator = validator == null ? new DocumentValidator(CrdSchemas.bundled()) : validator;
            try {
              findings.addAll(validator.validate(input.name(), document.index(), document.object()));
            } catch (RuntimeException e) {
              // a bug of ours must not hide the findings of the other documents
              findings.add(Finding.unreadable(input.name(), document.index(), "internal error while validating: " + e));
            }
          } else {
            findings.add(Finding.unreadable(input.name(), document.index(), document.unreadable()));
          }
        }
      }
    }
    report(findings, documents);
    if (findings.stream().anyMatch(Finding::unreadable)) {
      return UNREADABLE;
    }
    return findings.stream().anyMatch(f -> f.severity() == Finding.Severity.ERROR) ? INVALID : VALID;
  }

  /** A file to read, or stdin when {@code file} is null. */
  private record Input(String name, Path file) {
  }

  private InputStream open(Input input) throws IOException {
    if (input.file() != null) {
      return Files.newInputStream(input.file());
    }
    // the caller closes what it opens; stdin belongs to whoever started us
    return new FilterInputStream(stdin) {
      @Override
      public void close() {
      }
    };
  }

  private List<Input> inputs(String path, List<Finding> findings) {
    if (path.equals(STDIN)) {
      return List.of(new Input("<stdin>", null));
    }
    Path file = Path.of(path);
    if (!Files.exists(file)) {
      findings.add(Finding.unreadable(path, 0, "no such file or directory"));
      return List.of();
    }
    if (!Files.isDirectory(file)) {
      return List.of(new Input(path, file));
    }
    try (Stream<Path> walk = Files.walk(file, MAX_DIRECTORY_DEPTH)) {
      List<Input> inputs = walk
          .filter(p -> !hidden(file.relativize(p)))
          .filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().matches(".*\\.(yaml|yml|json)"))
          .sorted()
          .map(p -> new Input(p.toString(), p))
          .toList();
      if (inputs.isEmpty()) {
        findings.add(Finding.unreadable(path, 0, "directory has no .yaml, .yml or .json files"));
      }
      return inputs;
    } catch (IOException | UncheckedIOException e) {
      findings.add(Finding.unreadable(path, 0, describe(e instanceof UncheckedIOException u ? u.getCause() : e)));
      return List.of();
    }
  }

  /** .git and other dot directories or files below a given directory are not manifests. */
  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Exception e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return "cannot read: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
  }

  private void report(List<Finding> findings, int documents) {
    if (format == Format.JSON) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ArrayNode array = mapper.createArrayNode();
      for (Finding finding : findings) {
        ObjectNode node = array.addObject();
        node.put("file", finding.source());
        node.put("document", finding.document());
        node.put("severity", finding.severity().label());
        node.put("field", finding.field());
        node.put("reason", finding.reason());
        node.put("unreadable", finding.unreadable());
      }
      try {
        out.println(mapper.writeValueAsString(array));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return;
    }
    findings.forEach(f -> out.println(f.toLine()));
    long errors = findings.stream().filter(f -> f.severity() == Finding.Severity.ERROR).count();
    long warnings = findings.size() - errors;
    long unreadable = findings.stream().filter(Finding::unreadable).count();
    err.println(documents + (documents == 1 ? " document" : " documents") + " checked: "
        + errors + (errors == 1 ? " error, " : " errors, ") + warnings + (warnings == 1 ? " warning" : " warnings")
        + (unreadable == 0 ? "" : "; " + unreadable + " unreadable"));
  }
}
