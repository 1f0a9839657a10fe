package io.jthulhu.node.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import io.jthulhu.node.sys.Libc;
import io.jthulhu.node.sys.VaFormat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A libbpf bpf_object: open, load, find maps and programs, close. Control path only. */
public final class BpfObject implements AutoCloseable {
    private static final int LOG_LINES_KEPT = 400;
    static final int VERIFIER_LINES_SHOWN = 25;

    /** libbpf's log, kept so that a verifier rejection can be explained. */
    private static final Deque<String> LIBBPF_LOG = new ArrayDeque<>();
    /** Strong reference: libbpf keeps calling this function pointer. */
    private static final LibBpf.PrintFn PRINT_FN = BpfObject::onLibbpfLog;
    private static boolean initialized;

    private final Path file;
    private Pointer object;

    private BpfObject(Path file, Pointer object) {
        this.file = file;
        this.object = object;
    }

    public static BpfObject open(Path file) {
        initLibbpf();
        Pointer obj = LibBpf.bpf_object__open_file(file.toString(), null);
        if (obj == null) {
            throw new BpfException(BpfException.Kind.LOAD_FAILED, "cannot open BPF object " + file + ": "
                    + Libc.strerror(Native.getLastError()) + takeLog(VERIFIER_LINES_SHOWN));
        }
        return new BpfObject(file, obj);
    }

    private static synchronized void initLibbpf() {
        if (initialized) {
            return;
        }
        try {
            int major = LibBpf.libbpf_major_version();
            int minor = LibBpf.libbpf_minor_version();
            if (major < 1 || (major == 1 && minor < 4)) {
                throw new BpfException(BpfException.Kind.LIBBPF_UNAVAILABLE,
                        "libbpf " + major + "." + minor + " is too old: 1.4 or newer is needed for .struct_ops.link");
            }
            LibBpf.libbpf_set_print(PRINT_FN);
            initialized = true;
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

    /** The last lines libbpf logged (verifier output on a failed load), then forgets them. */
    static String takeLog(int lines) {
        List<String> copy;
        synchronized (LIBBPF_LOG) {
            copy = new ArrayList<>(LIBBPF_LOG);
            LIBBPF_LOG.clear();
        }
        if (copy.isEmpty() || lines == 0) {
            return "";
        }
        List<String> tail = copy.subList(Math.max(0, copy.size() - lines), copy.size());
        return "\nlast libbpf/verifier lines:\n  " + String.join("\n  ", tail);
    }

    public void load(String what) {
        takeLog(0);
        int err = LibBpf.bpf_object__load(object);
        if (err != 0) {
            throw new BpfException(BpfException.Kind.LOAD_FAILED, "the kernel rejected " + what + ": "
                    + Libc.strerror(-err) + takeLog(VERIFIER_LINES_SHOWN));
        }
    }

    public Pointer map(String name) {
        Pointer map = LibBpf.bpf_object__find_map_by_name(object, name);
        if (map == null) {
            throw new BpfException(BpfException.Kind.MAP_FAILED, "BPF object " + file.getFileName() + " has no map named " + name);
        }
        return map;
    }

    /** libbpf names global-data maps "<object prefix>.bss" etc. */
    Pointer mapBySuffix(String suffix) {
        for (Pointer m = LibBpf.bpf_object__next_map(object, null); m != null; m = LibBpf.bpf_object__next_map(object, m)) {
            String name = LibBpf.bpf_map__name(m);
            if (name != null && name.endsWith(suffix)) {
                return m;
            }
        }
        throw new BpfException(BpfException.Kind.MAP_FAILED, "BPF object " + file.getFileName() + " has no " + suffix + " map");
    }

    public static int fd(Pointer map) {
        return LibBpf.bpf_map__fd(map);
    }

    public static int maxEntries(Pointer map) {
        return LibBpf.bpf_map__max_entries(map);
    }

    /**
     * libbpf's copy of a global-data section, to initialise before load (.rodata). The section
     * must hold exactly one variable of {@code expectedSize} bytes, so that it sits at offset 0.
     */
    static ByteBuffer initialData(Pointer map, int expectedSize, String what) {
        LongByReference size = new LongByReference();
        Pointer p = LibBpf.bpf_map__initial_value(map, size);
        if (p == null) {
            throw new BpfException(BpfException.Kind.MAP_FAILED, what + " has no initial value");
        }
        requireSize(size.getValue(), expectedSize, what);
        return p.getByteBuffer(0, expectedSize).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The live memory of a loaded global-data map (.bss), mapped from its fd. Without a skeleton,
     * libbpf 1.4's bpf_map__initial_value still returns the pre-load copy after load.
     */
    static MappedRegion liveData(Pointer map, int expectedSize, String what) {
        requireSize(LibBpf.bpf_map__value_size(map), expectedSize, what);
        long page = Libc.getpagesize();
        long length = (expectedSize + page - 1) / page * page;
        return MappedRegion.map(fd(map), 0, length, Libc.PROT_READ | Libc.PROT_WRITE, what);
    }

    private static void requireSize(long actual, int expected, String what) {
        if (actual != expected) {
            throw new BpfException(BpfException.Kind.MAP_FAILED, what + " is " + actual
                    + " bytes, expected exactly " + expected + ": the section must hold that one variable");
        }
    }

    public int programFd(String name) {
        Pointer prog = LibBpf.bpf_object__find_program_by_name(object, name);
        if (prog == null) {
            throw new BpfException(BpfException.Kind.MAP_FAILED, "BPF object " + file.getFileName() + " has no program " + name);
        }
        return LibBpf.bpf_program__fd(prog);
    }

    /** Runs a BPF_PROG_TYPE_SYSCALL program once (BPF_PROG_TEST_RUN) and returns its return value. */
    static int runSyscallProgram(int progFd) {
        try (Memory opts = new Memory(80)) {
            opts.clear();
            opts.setLong(0, 80); // sz
            int err = LibBpf.bpf_prog_test_run_opts(progFd, opts);
            if (err != 0) {
                throw new BpfException(BpfException.Kind.LOAD_FAILED, "BPF_PROG_TEST_RUN failed: " + Libc.strerror(-err));
            }
            return opts.getInt(56); // retval
        }
    }

    Pointer attachStructOps(String mapName) {
        return LibBpf.bpf_map__attach_struct_ops(map(mapName));
    }

    @Override
    public void close() {
        if (object != null) {
            LibBpf.bpf_object__close(object);
            object = null;
        }
    }
}
