package io.jthulhu.crd.build;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.SchedulingPolicy;
import java.io.File;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build step (run by crds/pom.xml at process-classes): writes the CRD YAML of the custom resources.
 * It calls Fabric8's generator directly rather than through its Maven plugin because the generator
 * sorts printer columns by JSON path, and {@code kubectl get} should show them in the order a user
 * reads them, which is the order of the {@link AdditionalPrinterColumn} annotations.
 */
public final class CrdGeneration {
  static final List<Class<? extends HasMetadata>> RESOURCES = List.of(SchedulingPolicy.class, NodeSchedulingPlan.class);

  private CrdGeneration() {
  }

  public static void main(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CrdGeneration OUTPUT_DIRECTORY");
    }
    File output = new File(args[0]);
    if (!output.isDirectory() && !output.mkdirs()) {
      throw new IllegalStateException("cannot create " + output);
    }
    int generated = new CRDGenerator()
        .customResourceClasses(RESOURCES)
        .withParallelGenerationEnabled(false)
        .withPostProcessor(new AnnotationOrderedPrinterColumns())
        .inOutputDir(output)
        .generate();
    if (generated != RESOURCES.size()) {
      throw new IllegalStateException("generated " + generated + " CRDs, expected " + RESOURCES.size());
    }
  }

  /** Puts every version's printer columns back in the order their annotations are declared. */
  static final class AnnotationOrderedPrinterColumns implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      if (!(crd instanceof CustomResourceDefinition definition)) {
        return crd;
      }
      String kind = definition.getSpec().getNames().getKind();
      List<String> declaredOrder = RESOURCES.stream()
          .filter(type -> HasMetadata.getKind(type).equals(kind))
          .flatMap(type -> Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class)))
          .map(AdditionalPrinterColumn::name)
          .toList();
      for (CustomResourceDefinitionVersion version : definition.getSpec().getVersions()) {
        List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
        if (columns != null) {
          // columns declared by annotations come first in declaration order; any other (field-level) keep their place after
          columns.sort(Comparator.comparingInt(column -> {
            int index = declaredOrder.indexOf(column.getName());
            return index < 0 ? Integer.MAX_VALUE : index;
          }));
        }
      }
      return definition;
    }
  }
}
