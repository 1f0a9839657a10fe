package io.jthulhu.node.bpf.btf;

import io.jthulhu.node.bpf.layout.Layouts;
import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The Java descriptors against the BTF of the scheduler object the build ships in the jar. */
class BpfObjectLayoutTest {
    static final String OBJECT = "/io/jthulhu/node/bpf/jthulhu.bpf.o";

    @Test
    void everyDescriptorMatchesTheShippedBpfObject() throws Exception {
        byte[] object;
        try (InputStream in = BpfObjectLayoutTest.class.getResourceAsStream(OBJECT)) {
            assertThat(in).as(OBJECT + " on the classpath (built by `make -C bpf` in generate-resources)").isNotNull();
            object = in.readAllBytes();
        }
        Btf btf = Btf.fromElf(object);
        assertThat(Layouts.ALL).allSatisfy(layout ->
                assertThat(LayoutVerifier.mismatches(btf, layout)).as(layout.toString()).isEmpty());
        LayoutVerifier.verifyObject(object);
    }
}
