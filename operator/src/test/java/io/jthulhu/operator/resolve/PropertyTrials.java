package io.jthulhu.operator.resolve;

import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Runs a property over generated inputs. Every case has its own seed derived from a fixed one, so runs are
 * deterministic and a failure (assertion or exception) names the case, its seed and its input.
 */
final class PropertyTrials {
  /** Spreads the case seeds: consecutive seeds give correlated first draws from java.util.Random. */
  private static final long SEED_STRIDE = 0x9E37_79B9_7F4A_7C15L;

  private PropertyTrials() {
  }

  /**
   * Checks {@code property} on {@code tries} inputs made by {@code generator}. The property gets the case's
   * Random, positioned after generation, for choices of its own (shuffles, picks).
   */
  static <T> void check(long seed, int tries, Function<Random, T> generator, BiConsumer<T, Random> property) {
    for (int i = 0; i < tries; i++) {
      long caseSeed = seed + i * SEED_STRIDE;
      Random random = new Random(caseSeed);
      T input = generator.apply(random);
      try {
        property.accept(input, random);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("case %d of %d (seed 0x%x) failed on %s%n%s"
            .formatted(i, tries, caseSeed, input, e.getMessage()), e);
      }
    }
  }
}
