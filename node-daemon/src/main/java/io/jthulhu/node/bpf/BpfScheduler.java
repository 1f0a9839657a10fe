package io.jthulhu.node.bpf;

import io.jthulhu.node.bpf.layout.Abi;
import io.jthulhu.node.bpf.layout.ConfigLayout;
import io.jthulhu.node.enforce.PolicyMap;
import io.jthulhu.node.bpf.layout.SharedLayout;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.jthulhu.node.sys.Libc;
import io.jthulhu.node.sys.Privileges;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The compiled Jthulhu BPF scheduler (jthulhu.bpf.o, shipped in this jar) from open to detach.
 * Lifecycle: {@link #open} → {@link #config()} may be written → {@link #load} → {@link #attach}
 * → {@link #close}. After load, the rings and the shared .bss are memory-mapped.
 */
public final class BpfScheduler implements AutoCloseable {
    public static final String OPS_NAME = "jthulhu";
    static final String OBJECT_RESOURCE = "/io/jthulhu/node/bpf/jthulhu.bpf.o";

    private final Path objectFile;
    private BpfObject object;
    private ByteBuffer config;
    private MappedRegion sharedRegion;
    private ByteBuffer shared;
    private Pointer link;
    private RingBufferConsumer queued;
    private UserRingBufferProducer dispatched;
    private int cgroupPolicyFd = -1;
    private int podStatsFd = -1;
    private int exitDumpFd = -1;

    private BpfScheduler(Path objectFile, BpfObject object) {
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
                    + "CAP_BPF and CAP_PERFMON (euid " + Libc.geteuid() + ")");
        }
        checkNoOtherScheduler(sysfs);
        Path file = extractObject();
        BpfScheduler s = new BpfScheduler(file, BpfObject.open(file));
        s.config = BpfObject.initialData(s.object.mapBySuffix(".rodata"), ConfigLayout.SIZE, ".rodata (struct jt_config)");
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

    private static Path extractObject() {
        try (InputStream in = BpfScheduler.class.getResourceAsStream(OBJECT_RESOURCE)) {
            if (in == null) {
                throw new BpfException(BpfException.Kind.LOAD_FAILED, "BPF object " + OBJECT_RESOURCE + " is missing from the jar");
            }
            Path dir = Files.createTempDirectory("jthulhu-bpf");
            // libbpf names the object (and its .bss/.rodata maps) after the file name.
            Path file = dir.resolve("jthulhu.bpf.o");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new BpfException(BpfException.Kind.LOAD_FAILED, "cannot extract the BPF object: " + e.getMessage());
        }
    }

    /** struct jt_config in .rodata: writable between open and load only. */
    public ByteBuffer config() {
        if (config == null) {
            throw new IllegalStateException("jt_config is read-only once the scheduler is loaded");
        }
        return config;
    }

    /** Verifies and loads the programs and maps, then maps the rings and the shared state. */
    public void load() {
        object.load("the Jthulhu BPF scheduler");
        config = null; // libbpf re-maps .rodata read-only after load
        sharedRegion = BpfObject.liveData(object.mapBySuffix(".bss"), SharedLayout.SIZE, ".bss (struct jt_shared)");
        shared = sharedRegion.buffer;
        Pointer queuedMap = object.map("queued");
        Pointer dispatchedMap = object.map("dispatched");
        queued = new RingBufferConsumer(BpfObject.fd(queuedMap), BpfObject.maxEntries(queuedMap));
        dispatched = new UserRingBufferProducer(BpfObject.fd(dispatchedMap), BpfObject.maxEntries(dispatchedMap));
        cgroupPolicyFd = BpfObject.fd(object.map("cgroup_policy"));
        podStatsFd = BpfObject.fd(object.map("pod_stats"));
        exitDumpFd = BpfObject.fd(object.map("exit_dump"));
    }

    /** Attaches the struct_ops scheduler: from here on the kernel schedules through it. */
    public void attach(SchedExtSysfs sysfs) {
        link = object.attachStructOps(OPS_NAME); // the struct sched_ext_ops variable in bpf/main.bpf.c
        if (link == null) {
            int errno = Native.getLastError();
            String other = sysfs.attachedOps();
            if (!other.isEmpty() && !OPS_NAME.equals(other)) {
                throw new BpfException(BpfException.Kind.ALREADY_ATTACHED, "another sched_ext scheduler is attached: \""
                        + other + "\"");
            }
            String exit = exitInfo().describe();
            throw new BpfException(BpfException.Kind.ATTACH_FAILED, "attaching the sched_ext scheduler failed: "
                    + Libc.strerror(errno) + (exit.isEmpty() ? "" : " (" + exit + ")")
                    + BpfObject.takeLog(BpfObject.VERIFIER_LINES_SHOWN));
        }
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

    public UserRingBufferProducer dispatched() {
        return dispatched;
    }

    /** struct jt_shared in .bss: counters, idle CPUs, exit info; Java heartbeat fields. */
    public ByteBuffer shared() {
        return shared;
    }

    /** Exit information BPF recorded in ops.exit; kind 0 while the scheduler runs. */
    public ExitInfo exitInfo() {
        return shared == null ? ExitInfo.NONE : ExitInfo.read(shared, SharedLayout.EXIT);
    }

    /** The kernel's debug dump of an error exit (CPU and task state), or "" if there is none. */
    public String exitDump() {
        if (exitDumpFd < 0) {
            return "";
        }
        try (Memory key = new Memory(4); Memory value = new Memory(Abi.EXIT_DUMP_LEN)) {
            key.setInt(0, 0);
            if (LibBpf.bpf_map_lookup_elem(exitDumpFd, key, value) != 0) {
                return "";
            }
            return value.getString(0, "UTF-8");
        }
    }

    /** The pod policy maps of the loaded object (cgroup_policy and pod_stats). */
    public PolicyMap policyMap() {
        if (cgroupPolicyFd < 0) {
            throw new IllegalStateException("the BPF object is not loaded");
        }
        return new BpfPolicyMap(cgroupPolicyFd, podStatsFd, shared);
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
        if (sharedRegion != null) {
            sharedRegion.close();
            sharedRegion = null;
        }
        if (object != null) {
            object.close();
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
