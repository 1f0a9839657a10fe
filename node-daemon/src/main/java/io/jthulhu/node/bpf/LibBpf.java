package io.jthulhu.node.bpf;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;

/**
 * libbpf 1.4+ through JNA direct mapping. Only the control path goes through here (open, load,
 * attach, map updates); the ring buffers are read and written through their memory mappings.
 * In libbpf 1.x, functions returning pointers return NULL and set errno on error; functions
 * returning int return a negative errno.
 */
final class LibBpf {
    static final int LIBBPF_DEBUG = 2;
    static final int BPF_ANY = 0;
    static final int BPF_NOEXIST = 1;

    static {
        Native.register(LibBpfLibrary.load());
    }

    private LibBpf() {
    }

    /** int (*libbpf_print_fn_t)(enum libbpf_print_level, const char *fmt, va_list ap). */
    interface PrintFn extends Callback {
        int invoke(int level, String format, Pointer vaList);
    }

    static native Pointer libbpf_set_print(PrintFn fn);

    static native int libbpf_major_version();

    static native int libbpf_minor_version();

    static native Pointer bpf_object__open_file(String path, Pointer opts);

    static native int bpf_object__load(Pointer obj);

    static native void bpf_object__close(Pointer obj);

    static native Pointer bpf_object__find_map_by_name(Pointer obj, String name);

    static native Pointer bpf_object__next_map(Pointer obj, Pointer prev);

    static native String bpf_map__name(Pointer map);

    static native int bpf_map__fd(Pointer map);

    static native int bpf_map__max_entries(Pointer map);

    static native int bpf_map__value_size(Pointer map);

    static native Pointer bpf_map__initial_value(Pointer map, LongByReference size);

    static native Pointer bpf_map__attach_struct_ops(Pointer map);

    static native int bpf_link__destroy(Pointer link);

    static native int bpf_map_update_elem(int fd, Pointer key, Pointer value, long flags);

    static native int bpf_map_delete_elem(int fd, Pointer key);

    static native int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);

    static native int bpf_map_get_next_key(int fd, Pointer key, Pointer nextKey);

    static native int libbpf_num_possible_cpus();


    static native Pointer bpf_object__find_program_by_name(Pointer obj, String name);

    static native int bpf_program__fd(Pointer prog);

    static native int bpf_prog_test_run_opts(int progFd, Pointer opts);
}
