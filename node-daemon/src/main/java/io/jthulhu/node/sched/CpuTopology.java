package io.jthulhu.node.sched;

import io.jthulhu.node.bpf.layout.Abi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.stream.Stream;

/**
 * CPUs and their last-level-cache (LLC) domains, plus, for every CPU, the order in which the
 * scheduler looks for another idle CPU: first the CPUs sharing its LLC (a migration there keeps
 * the cache warm), then all others. Orders are computed once here so choosing a CPU allocates
 * nothing. Within each group the search starts just after the CPU itself, which spreads tasks
 * instead of piling them onto the lowest-numbered idle CPU.
 */
public final class CpuTopology {
    private static final Path SYSFS_CPU = Path.of("/sys/devices/system/cpu");

    private final int[] llcIdByCpu;
    private final int[][] searchOrder;

    /**
     * @param llcIdByCpu LLC domain id of every CPU (index = CPU number); CPUs with equal ids share an LLC
     */
    public CpuTopology(int[] llcIdByCpu) {
        if (llcIdByCpu.length == 0 || llcIdByCpu.length > Abi.MAX_CPUS) {
            throw new IllegalArgumentException("nr of CPUs must be in 1.." + Abi.MAX_CPUS + ", was " + llcIdByCpu.length);
        }
        this.llcIdByCpu = llcIdByCpu.clone();
        int n = llcIdByCpu.length;
        this.searchOrder = new int[n][];
        for (int cpu = 0; cpu < n; cpu++) {
            int[] order = new int[n - 1];
            int k = 0;
            for (int pass = 0; pass < 2; pass++) {
                for (int step = 1; step < n; step++) {
                    int other = (cpu + step) % n;
                    boolean sameLlc = llcIdByCpu[other] == llcIdByCpu[cpu];
                    if (sameLlc == (pass == 0)) {
                        order[k++] = other;
                    }
                }
            }
            searchOrder[cpu] = order;
        }
    }

    /** All CPUs in one LLC domain. */
    public static CpuTopology uniform(int nrCpus) {
        return new CpuTopology(new int[nrCpus]);
    }

    /** Reads the topology of this machine from sysfs. */
    public static CpuTopology fromSysfs() {
        return fromSysfs(SYSFS_CPU);
    }

    /**
     * Reads {@code possible} (the CPU count BPF uses) and, per CPU, the highest-level
     * {@code cache/index*} entry's {@code shared_cpu_list}. A CPU without cache information
     * (offline, or a VM that exposes none) is put in one domain with all other such CPUs.
     */
    public static CpuTopology fromSysfs(Path cpuRoot) {
        int nrCpus = parseCpuList(read(cpuRoot.resolve("possible")), "possible").length();
        if (nrCpus == 0) {
            throw new IllegalArgumentException(cpuRoot.resolve("possible") + ": no CPUs listed");
        }
        int[] llcId = new int[nrCpus];
        Arrays.fill(llcId, -1);
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            if (llcId[cpu] >= 0) {
                continue;
            }
            BitSet shared = llcOf(cpuRoot.resolve("cpu" + cpu).resolve("cache"));
            if (shared == null) {
                continue;
            }
            shared.set(cpu);
            for (int other = shared.nextSetBit(0); other >= 0 && other < nrCpus; other = shared.nextSetBit(other + 1)) {
                if (llcId[other] < 0) {
                    llcId[other] = cpu;
                }
            }
        }
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            if (llcId[cpu] < 0) {
                llcId[cpu] = nrCpus; // the "no cache information" domain
            }
        }
        return new CpuTopology(llcId);
    }

    private static BitSet llcOf(Path cacheDir) {
        if (!Files.isDirectory(cacheDir)) {
            return null;
        }
        int bestLevel = -1;
        BitSet best = null;
        try (Stream<Path> entries = Files.list(cacheDir)) {
            for (Path index : (Iterable<Path>) entries.sorted()::iterator) {
                if (!index.getFileName().toString().startsWith("index")
                        || !Files.exists(index.resolve("level")) || !Files.exists(index.resolve("shared_cpu_list"))) {
                    continue;
                }
                String levelText = read(index.resolve("level"));
                int level;
                try {
                    level = Integer.parseInt(levelText);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(index.resolve("level") + ": not a number: '" + levelText + "'");
                }
                if (level > bestLevel) {
                    bestLevel = level;
                    best = parseCpuList(read(index.resolve("shared_cpu_list")), index.resolve("shared_cpu_list").toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + cacheDir, e);
        }
        return best;
    }

    /** Parses the kernel's cpu list format, e.g. "0-3,8,10-11". */
    static BitSet parseCpuList(String text, String source) {
        BitSet cpus = new BitSet();
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            return cpus;
        }
        for (String part : trimmed.split(",")) {
            String[] range = part.split("-", -1);
            try {
                int from = Integer.parseInt(range[0].trim());
                int to = range.length == 2 ? Integer.parseInt(range[1].trim()) : from;
                if (range.length > 2 || from < 0 || to < from || to >= Abi.MAX_CPUS) {
                    throw new NumberFormatException();
                }
                cpus.set(from, to + 1);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ": bad CPU list entry '" + part + "' in '" + trimmed
                        + "' (expected N or N-M with 0 <= N <= M < " + Abi.MAX_CPUS + ")");
            }
        }
        return cpus;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    public int nrCpus() {
        return llcIdByCpu.length;
    }

    public int llcId(int cpu) {
        return llcIdByCpu[cpu];
    }

    /** Copy of the idle-CPU search order for {@code cpu} (its LLC siblings first, {@code cpu} excluded). */
    public int[] searchOrder(int cpu) {
        return searchOrder[cpu].clone();
    }

    /** The shared array, for the hot path in this package; never modified. */
    int[] searchOrderShared(int cpu) {
        return searchOrder[cpu];
    }
}
