package io.jthulhu.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kubectl get prints printer columns in the CRD's order; the generator alone would sort them by JSON path. */
class PrinterColumnsTest {
  @Test
  void policiesShowWhatTheyAskThenHowFarTheyGotThenAge() throws IOException {
    assertThat(columns("schedulingpolicies.jthulhu.io-v1.yml", false))
        .containsExactly("Class", "Priority", "Mode", "Matched", "Nodes Applied", "Age");
    assertThat(columns("schedulingpolicies.jthulhu.io-v1.yml", true))
        .containsExactly("Class", "Priority", "Mode", "Matched", "Nodes Applied", "Nodes Targeted", "Age");
  }

  @Test
  void plansKeepTheirDeclaredOrderWithAgeLast() throws IOException {
    assertThat(columns("nodeschedulingplans.jthulhu.io-v1.yml", true))
        .containsExactly("Pods", "Scheduler", "Kernel", "Age");
  }

  /** Column names of the generated CRD in order; {@code wide} includes those only {@code -o wide} shows. */
  private static List<String> columns(String crd, boolean wide) throws IOException {
    List<String> names = new ArrayList<>();
    for (JsonNode column : CrdFiles.readAll(CrdFiles.GENERATED.resolve(crd)).get(0)
        .at("/spec/versions/0/additionalPrinterColumns")) {
      if (wide || column.path("priority").asInt(0) == 0) {
        names.add(column.get("name").asText());
      }
    }
    return names;
  }
}
