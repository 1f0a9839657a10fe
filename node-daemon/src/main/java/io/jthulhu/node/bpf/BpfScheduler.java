package io.jthulhu.node.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import io.jthulhu.node.sys.Libc;
import io.jthulhu.node.sys.Privileges;
import io.jthulhu.node.sys.VaFormat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The compiled Jthulhu BPF scheduler (jthulhu.bpf.o, shipped in this jar) from open to detach.
 * Lifecycle: {@link #open} → {@link #config()} may be written → {@link #load} → {@link #attach}
 * → {@link #close}. After load, the rings and the shared .bss are memory-mapped.
 */
public final class BpfScheduler implements AutoCloseable {
    public static final String OPS_NAME = "jthulhu";
    static final String OBJECT_RESOURCE = "/io/jthulhu/node/bpf/jthulhu.bpf.o";
    private static final int LOG_LINES_KEPT = 400;
    private static final int VERIFIER_LINES_SHOWN = 25;

    /** libbpf's log, kept so that a verifier rejection can be explained. */
    private static final Deque<String> LIBBPF_LOG = new ArrayDeque<>();
    /** Strong reference: libbpf keeps calling this function pointer. */
    private static final LibBpf.PrintFn PRINT_FN = BpfScheduler::onLibbpfLog;

    private final Path objectFile;
    private Pointer object;
    private ByteBuffer config;
    private ByteBuffer shared;
    private Pointer link;
    private RingBufferConsumer queued;
    private UserRingBufferProducer dispatched;
    private int cgroupPolicyFd = -1;
    private int queuedFd = -1;

    private BpfScheduler(Path objectFile, Pointer object) {
        this.objectFile = objectFile;
        this.object = object;
    }

    /**
     * Checks that this node can run the scheduler at all and opens the BPF object.
     *
     * @throws BpfException with a kind and an operator-readable message otherwise
     */
    public static BpfScheduler open(SchedExtSysfs sysfs) {
        if (!sysfs.supported()) {
            throw new BpfException(BpfException.Kind.KERNEL_UNSUPPORTED,
                    "this kernel has no sched_ext (/sys/kernel/sched_ext is missing; needs CONFIG_SCHED_CLASS_EXT=y, Linux 6.12+)");
        }
        if (!Privileges.canAttachScheduler(Privileges.effectiveCapabilities())) {
            throw new BpfException(BpfException.Kind.NOT_PERMITTED, "not permitted to attach a sched_ext scheduler: run as root or with "
                    + "CAP_BPF and CAP_SYS_ADMIN (euid " + Libc.geteuid() + ")");
        }
        checkNoOtherScheduler(sysfs);
        initLibbpf();
        Path file = extractObject();
        Pointer obj = LibBpf.bpf_object__open_file(file.toString(), null);
        if (obj == null) {
            throw new BpfException(BpfException.Kind.LOAD_FAILED, "cannot open BPF object " + file + ": "
                    + Libc.strerror(com.sun.jna.Native.getLastError()) + recentLog(VERIFIER_LINES_SHOWN));
        }
        BpfScheduler s = new BpfScheduler(file, obj);
        Pointer rodata = s.mapBySuffix(".rodata");
        s.config = s.initialValue(rodata, JtLayouts.CONFIG_SIZE, ".rodata (struct jt_config)");
        return s;
    }

    private static void checkNoOtherScheduler(SchedExtSysfs sysfs) {
        String state = sysfs.state();
        String ops = sysfs.attachedOps();
        if (!"disabled".equals(state) && !ops.isEmpty()) {
            throw new BpfException(BpfException.Kind.ALREADY_ATTACHED, "another sched_ext scheduler is attached: \""
                    + ops + "\" (state " + state + "); detach it first");
        }
    }

    private static synchronized void initLibbpf() {
        try {
            int major = LibBpf.libbpf_major_version();
            int minor = LibBpf.libbpf_minor_version();
            if (major < 1 || (major == 1 && minor < 4)) {
                throw new BpfException(BpfException.Kind.LIBBPF_UNAVAILABLE,
                        "libbpf " + major + "." + minor + " is too old: 1.4 or newer is needed for .struct_ops.link");
            }
            LibBpf.libbpf_set_print(PRINT_FN);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new BpfException(BpfException.Kind.LIBBPF_UNAVAILABLE, "libbpf.so.1 cannot be loaded: " + e.getMessage());
        }
    }

    private static int onLibbpfLog(int level, String format, Pointer vaList) {
        if (level == LibBpf.LIBBPF_DEBUG) {
            return 0;
        }
        String text = VaFormat.format(format, vaList);
        synchronized (LIBBPF_LOG) {
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    LIBBPF_LOG.addLast(line);
                    if (LIBBPF_LOG.size() > LOG_LINES_KEPT) {
                        LIBBPF_LOG.removeFirst();
                    }
                }
            }
        }
        return 0;
    }

    private static String recentLog(int lines) {
        List<String> copy;
        synchronized (LIBBPF_LOG) {
            copy = new ArrayList<>(LIBBPF_LOG);
            LIBBPF_LOG.clear();
        }
        if (copy.isEmpty()) {
            return "";
        }
        List<String> tail = copy.subList(Math.max(0, copy.size() - lines), copy.size());
        return "\nlast libbpf/verifier lines:\n  " + String.join("\n  ", tail);
    }

    private static Path extractObject() {
        try (InputStream in = BpfScheduler.class.getResourceAsStream(OBJECT_RESOURCE)) {
            if (in == null) {
                throw new BpfException(BpfException.Kind.LOAD_FAILED, "BPF object " + OBJECT_RESOURCE + " is missing from the jar");
            }
            Path dir = Files.createTempDirectory("jthulhu-bpf");
            // libbpf names the object (and its .bss/.rodata maps) after the file name.
            Path file = dir.resolve("jthulhu.bpf.o");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new BpfException(BpfException.Kind.LOAD_FAILED, "cannot extract the BPF object: " + e.getMessage());
        }
    }

    /** struct jt_config in .rodata: writable between open and load, read-only afterwards. */
    public ByteBuffer config() {
        return config;
    }

    /** Verifies and loads the programs and maps, then maps the rings and the shared state. */
    public void load() {
        recentLog(0);
        int err = LibBpf.bpf_object__load(object);
        if (err != 0) {
            throw new BpfException(BpfException.Kind.LOAD_FAILED, "the kernel rejected the BPF scheduler: "
                    + Libc.strerror(-err) + recentLog(VERIFIER_LINES_SHOWN));
        }
        config = null; // libbpf re-maps .rodata read-only after load
        shared = initialValue(mapBySuffix(".bss"), JtLayouts.SHARED_SIZE, ".bss (struct jt_shared)");
        Pointer queuedMap = mapByName("queued");
        Pointer dispatchedMap = mapByName("dispatched");
        queuedFd = LibBpf.bpf_map__fd(queuedMap);
        queued = new RingBufferConsumer(queuedFd, LibBpf.bpf_map__max_entries(queuedMap));
        dispatched = new UserRingBufferProducer(LibBpf.bpf_map__fd(dispatchedMap),
                LibBpf.bpf_map__max_entries(dispatchedMap));
        cgroupPolicyFd = LibBpf.bpf_map__fd(mapByName("cgroup_policy"));
    }

    /** Attaches the struct_ops scheduler: from here on the kernel schedules through it. */
    public void attach(SchedExtSysfs sysfs) {
        Pointer ops = mapByName(OPS_NAME + "_ops");
        link = LibBpf.bpf_map__attach_struct_ops(ops);
        if (link == null) {
            int errno = com.sun.jna.Native.getLastError();
            String other = sysfs.attachedOps();
            if (!other.isEmpty() && !OPS_NAME.equals(other)) {
                throw new BpfException(BpfException.Kind.ALREADY_ATTACHED, "another sched_ext scheduler is attached: \""
                        + other + "\"");
            }
            String exit = exitInfo().describe();
            throw new BpfException(BpfException.Kind.ATTACH_FAILED, "attaching the sched_ext scheduler failed: "
                    + Libc.strerror(errno) + (exit.isEmpty() ? "" : " (" + exit + ")") + recentLog(VERIFIER_LINES_SHOWN));
        }
    }

    public boolean attached() {
        return link != null;
    }

    /** Detaches the scheduler; the kernel moves every task back to its default scheduler. */
    public void detach() {
        if (link != null) {
            LibBpf.bpf_link__destroy(link);
            link = null;
        }
    }

    public RingBufferConsumer queued() {
        return queued;
    }

    /** The queued ring's fd: epoll reports it readable when BPF adds records. */
    public int queuedFd() {
        return queuedFd;
    }

    public UserRingBufferProducer dispatched() {
        return dispatched;
    }

    /** struct jt_shared in .bss: counters, idle CPUs, exit info; Java heartbeat fields. */
    public ByteBuffer shared() {
        return shared;
    }

    /** Exit information BPF recorded in ops.exit; kind 0 while the scheduler runs. */
    public ExitInfo exitInfo() {
        return shared == null ? ExitInfo.NONE : ExitInfo.read(shared, JtLayouts.SHARED_EXIT_OFFSET);
    }

    /** Sets the policy for a cgroup (key: cgroup v2 id; value: struct jt_policy bytes). */
    public void putCgroupPolicy(long cgroupId, ByteBuffer policy) {
        try (Memory key = new Memory(8); Memory value = new Memory(JtLayouts.POLICY_SIZE)) {
            key.setLong(0, cgroupId);
            for (int i = 0; i < JtLayouts.POLICY_SIZE; i++) {
                value.setByte(i, policy.get(policy.position() + i));
            }
            int err = LibBpf.bpf_map_update_elem(cgroupPolicyFd, key, value, LibBpf.BPF_ANY);
            if (err != 0) {
                throw new BpfException(BpfException.Kind.MAP_FAILED, "cgroup_policy update for cgroup " + cgroupId
                        + " failed: " + Libc.strerror(-err));
            }
        }
    }

    /** Removes a cgroup's policy; absent entries are not an error. */
    public void removeCgroupPolicy(long cgroupId) {
        try (Memory key = new Memory(8)) {
            key.setLong(0, cgroupId);
            LibBpf.bpf_map_delete_elem(cgroupPolicyFd, key);
        }
    }

    private Pointer mapByName(String name) {
        Pointer map = LibBpf.bpf_object__find_map_by_name(object, name);
        if (map == null) {
            throw new BpfException(BpfException.Kind.MAP_FAILED, "BPF object " + objectFile + " has no map named " + name);
        }
        return map;
    }

    private Pointer mapBySuffix(String suffix) {
        for (Pointer m = LibBpf.bpf_object__next_map(object, null); m != null; m = LibBpf.bpf_object__next_map(object, m)) {
            String name = LibBpf.bpf_map__name(m);
            if (name != null && name.endsWith(suffix)) {
                return m;
            }
        }
        throw new BpfException(BpfException.Kind.MAP_FAILED, "BPF object " + objectFile + " has no " + suffix + " map");
    }

    private ByteBuffer initialValue(Pointer map, int expectedSize, String what) {
        LongByReference size = new LongByReference();
        Pointer p = LibBpf.bpf_map__initial_value(map, size);
        if (p == null) {
            throw new BpfException(BpfException.Kind.MAP_FAILED, what + " is not memory-mapped");
        }
        // One variable per section keeps its offset at 0; anything else would be a build error.
        if (size.getValue() != expectedSize) {
            throw new BpfException(BpfException.Kind.MAP_FAILED, what + " is " + size.getValue()
                    + " bytes, expected exactly " + expectedSize + ": the section must hold that one variable");
        }
        return p.getByteBuffer(0, expectedSize).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        detach();
        if (queued != null) {
            queued.close();
            queued = null;
        }
        if (dispatched != null) {
            dispatched.close();
            dispatched = null;
        }
        shared = null;
        if (object != null) {
            LibBpf.bpf_object__close(object);
            object = null;
        }
        try {
            Files.deleteIfExists(objectFile);
            Files.deleteIfExists(objectFile.getParent());
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }
}
