package io.jthulhu.operator;

import java.io.PrintStream;
import java.io.OutputStream;

/** OperatorMain's command-line check for tests in other packages (the chart's), without printing. */
public final class OperatorMainAccess {
  private OperatorMainAccess() {
  }

  public static int commandLine(String... args) {
    PrintStream none = new PrintStream(OutputStream.nullOutputStream());
    return OperatorMain.commandLine(args, none, none);
  }
}
