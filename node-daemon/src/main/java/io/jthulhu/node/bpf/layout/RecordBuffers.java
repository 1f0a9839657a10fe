package io.jthulhu.node.bpf.layout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Checks shared by the flyweights, done once per wrap rather than per field access. */
final class RecordBuffers {
    private RecordBuffers() {
    }

    static void checkWrap(ByteBuffer buffer, int base, int size, String record) {
        if (buffer.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException(record + ": buffer must be LITTLE_ENDIAN");
        }
        if (base < 0 || base > buffer.capacity() - size) {
            throw new IndexOutOfBoundsException(record + ": " + size + " bytes at offset " + base
                    + " do not fit a buffer of capacity " + buffer.capacity());
        }
    }
}
