package io.jthulhu.node.sched;

import io.jthulhu.node.bpf.layout.Abi;
import io.jthulhu.node.bpf.layout.SharedLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuTopologyTest {
    @Test
    void searchOrderVisitsTheSameLlcFirstStartingAfterTheCpu() {
        CpuTopology t = new CpuTopology(new int[] {0, 0, 0, 1, 1, 1});
        assertThat(t.searchOrder(1)).containsExactly(2, 0, 3, 4, 5);
        assertThat(t.searchOrder(4)).containsExactly(5, 3, 0, 1, 2);
        assertThat(CpuTopology.uniform(1).searchOrder(0)).isEmpty();
        assertThatThrownBy(() -> new CpuTopology(new int[0])).hasMessageContaining("nr of CPUs must be in 1..1024");
    }

    @Test
    void readsLlcDomainsFromSysfs(@TempDir Path root) throws IOException {
        Files.writeString(root.resolve("possible"), "0-3\n");
        for (int cpu = 0; cpu < 4; cpu++) {
            cache(root, cpu, 0, 1, "" + cpu);               // L1: private
            cache(root, cpu, 1, 2, "" + cpu);               // L2: private
            cache(root, cpu, 2, 3, cpu < 2 ? "0-1" : "2-3"); // L3: two domains
        }
        CpuTopology t = CpuTopology.fromSysfs(root);
        assertThat(t.nrCpus()).isEqualTo(4);
        assertThat(t.llcId(0)).isEqualTo(t.llcId(1)).isNotEqualTo(t.llcId(2));
        assertThat(t.llcId(2)).isEqualTo(t.llcId(3));
        assertThat(t.searchOrder(0)).containsExactly(1, 2, 3);
    }

    @Test
    void cpusWithoutCacheInformationShareOneDomain(@TempDir Path root) throws IOException {
        Files.writeString(root.resolve("possible"), "0-2");
        cache(root, 0, 0, 2, "0");
        CpuTopology t = CpuTopology.fromSysfs(root);
        assertThat(t.nrCpus()).isEqualTo(3);
        assertThat(t.llcId(1)).isEqualTo(t.llcId(2)).isNotEqualTo(t.llcId(0));
    }

    @Test
    void thisMachineHasAtLeastOneCpu() {
        assertThat(CpuTopology.fromSysfs().nrCpus()).isBetween(1, Abi.MAX_CPUS);
    }

    @Test
    void badCpuListsAreRejectedWithTheFileAndEntry(@TempDir Path root) throws IOException {
        assertThat(CpuTopology.parseCpuList("0-3,8,10-11", "x").toString()).isEqualTo("{0, 1, 2, 3, 8, 10, 11}");
        Files.writeString(root.resolve("possible"), "0-x");
        assertThatThrownBy(() -> CpuTopology.fromSysfs(root))
                .hasMessageContaining("possible: bad CPU list entry '0-x'");
        assertThatThrownBy(() -> CpuTopology.parseCpuList("3-1", "f")).hasMessageContaining("f: bad CPU list entry '3-1'");
        assertThatThrownBy(() -> CpuTopology.parseCpuList("0-4096", "f")).hasMessageContaining("'0-4096'");
    }

    @Test
    void sharedIdleViewReadsTheCpuIdleBytes() {
        ByteBuffer bss = ByteBuffer.allocateDirect(SharedLayout.SIZE + 16).order(ByteOrder.LITTLE_ENDIAN);
        bss.put(16 + SharedLayout.CPU_IDLE + 3, (byte) 1);
        SharedCpuIdleView view = new SharedCpuIdleView(bss, 16);
        assertThat(view.isIdle(3)).isTrue();
        assertThat(view.isIdle(2)).isFalse();
        assertThat(view.isIdle(-1)).isFalse();
        assertThat(view.isIdle(Abi.MAX_CPUS)).isFalse();
        assertThatThrownBy(() -> new SharedCpuIdleView(bss, 32)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static void cache(Path root, int cpu, int index, int level, String shared) throws IOException {
        Path dir = Files.createDirectories(root.resolve("cpu" + cpu).resolve("cache").resolve("index" + index));
        Files.writeString(dir.resolve("level"), level + "\n");
        Files.writeString(dir.resolve("shared_cpu_list"), shared + "\n");
    }
}
