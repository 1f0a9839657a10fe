package io.jthulhu.node.cgroup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the pod-level cgroup v2 directory of a pod from its UID, for both kubelet cgroup drivers
 * and every QoS class.
 *
 * <p>The kubepods root is found once, by a shallow search, or given by {@link #of}. Each lookup
 * then probes the three paths the pod can have (Burstable, BestEffort, Guaranteed) directly, so a
 * lookup costs three {@code stat}s whatever the number of pods. Misses are never cached: a pod's
 * cgroup appears some time after the pod is bound to the node.
 *
 * <p>Thread-safe: the detected root is published through a volatile field, and two threads that
 * detect at the same time find the same root.
 */
public final class PodCgroupResolver {

    /** How deep below the cgroup root the kubepods directory may sit (kubelet --cgroup-root prefixes). */
    private static final int MAX_DEPTH = 3;

    /**
     * API-server UIDs are lowercase RFC 4122 strings; static pods get a bare 32-digit md5 hex from
     * the kubelet. Only lowercase: the kubelet names the cgroup with the UID verbatim, and it never
     * produces uppercase, so an uppercase UID is a caller bug that can never match a directory.
     */
    private static final Pattern UID = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}");

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /** A kubepods root and how its children are named. */
    private record Layout(CgroupDriver driver, Path kubepods, String slicePrefix, String origin) {
    }

    private final Path cgroupRoot;
    /** Null when detecting; the override never changes. */
    private final Layout fixed;
    private volatile Layout detected;

    private PodCgroupResolver(Path cgroupRoot, Layout fixed) {
        this.cgroupRoot = cgroupRoot;
        this.fixed = fixed;
    }

    /**
     * Searches {@code cgroupRoot} (normally {@code /sys/fs/cgroup}) for the kubepods root. Finding
     * none is not an error: the search is repeated on each lookup until the kubelet creates it.
     */
    public static PodCgroupResolver detect(Path cgroupRoot) {
        PodCgroupResolver resolver = new PodCgroupResolver(Objects.requireNonNull(cgroupRoot, "cgroupRoot"), null);
        resolver.detected = search(cgroupRoot);
        return resolver;
    }

    /**
     * Uses the given driver and kubepods directory (relative to {@code cgroupRoot}; a leading '/',
     * as in cgroup path notation, is accepted) instead of searching. The directory need not exist yet.
     */
    public static PodCgroupResolver of(Path cgroupRoot, CgroupDriver driver, Path kubepodsRelative) {
        Objects.requireNonNull(cgroupRoot, "cgroupRoot");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(kubepodsRelative, "kubepodsRelative");
        // "/kubepods.slice" is how the kubelet and systemd spell cgroup paths; resolve() would take it as absolute.
        String relative = kubepodsRelative.toString().replaceFirst("^/+", "");
        if (relative.isEmpty()) {
            throw new IllegalArgumentException("kubepods cgroup must name a directory below " + cgroupRoot);
        }
        Path rel = Path.of(relative).normalize();
        if (rel.startsWith("..")) {
            throw new IllegalArgumentException("kubepods cgroup " + kubepodsRelative + " leaves " + cgroupRoot);
        }
        Path kubepods = cgroupRoot.resolve(rel);
        String name = kubepods.getFileName().toString();
        String prefix = null;
        if (driver == CgroupDriver.SYSTEMD) {
            if (!name.endsWith(".slice")) {
                throw new IllegalArgumentException("systemd kubepods cgroup must be a .slice: " + kubepodsRelative);
            }
            prefix = name.substring(0, name.length() - ".slice".length());
        }
        return new PodCgroupResolver(cgroupRoot, new Layout(driver, kubepods, prefix, "override"));
    }

    /** True for a UID that can safely name a pod cgroup: see the UID pattern above. */
    public static boolean isValidUid(String podUid) {
        return podUid != null && UID.matcher(podUid).matches();
    }

    /** The pod-level cgroup of {@code podUid}, whatever its QoS class; empty if it does not exist (yet). */
    public Optional<PodCgroup> find(String podUid) {
        if (!isValidUid(podUid)) {
            return Optional.empty();
        }
        Layout layout = layout();
        if (layout == null) {
            return Optional.empty();
        }
        for (Path candidate : candidates(layout, podUid)) {
            Optional<Long> id = cgroupId(candidate);
            if (id.isPresent()) {
                return Optional.of(new PodCgroup(podUid, candidate, id.get()));
            }
        }
        if (fixed == null && !Files.isDirectory(layout.kubepods(), NOFOLLOW)) {
            // The root went away (kubelet reinstalled with another driver?): search again next time.
            detected = null;
        }
        return Optional.empty();
    }

    /** The immediate child directories of a pod cgroup: its containers' scopes or directories, for diagnostics. */
    public List<Path> containerCgroups(PodCgroup pod) {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(pod.path())) {
            for (Path child : stream) {
                if (Files.isDirectory(child, NOFOLLOW)) {
                    children.add(child);
                }
            }
        } catch (IOException | SecurityException e) {
            // The pod went away while listing: it has no containers left to report.
            return List.of();
        }
        children.sort(null);
        return children;
    }

    /** The driver of the kubepods root; SYSTEMD (kubelet's default on cgroup v2) while none is found. */
    public CgroupDriver driver() {
        Layout layout = layout();
        return layout == null ? CgroupDriver.SYSTEMD : layout.driver();
    }

    /** The kubepods root in use, empty while none is found. */
    public Optional<Path> kubepodsRoot() {
        Layout layout = layout();
        return layout == null ? Optional.empty() : Optional.of(layout.kubepods());
    }

    /** One line for the log: driver, root and how it was chosen. */
    public String describe() {
        Layout layout = layout();
        if (layout == null) {
            return "no kubepods cgroup under " + cgroupRoot + " yet (searched " + MAX_DEPTH
                    + " levels deep; searching again on each lookup)";
        }
        return layout.driver().name().toLowerCase() + " driver, kubepods at " + layout.kubepods()
                + " (" + layout.origin() + ")";
    }

    /** The cgroup v2 id of a directory (its inode number), empty if it is not a readable directory. */
    public static Optional<Long> cgroupId(Path dir) {
        try {
            if (!Files.isDirectory(dir, NOFOLLOW)) {
                return Optional.empty();
            }
            Object ino = Files.getAttribute(dir, "unix:ino", NOFOLLOW);
            return ino instanceof Long l ? Optional.of(l) : Optional.empty();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            // Gone between the two calls, or a file system without inode numbers: no id to give.
            return Optional.empty();
        }
    }

    private Layout layout() {
        if (fixed != null) {
            return fixed;
        }
        Layout layout = detected;
        if (layout == null) {
            layout = search(cgroupRoot);
            detected = layout;
        }
        return layout;
    }

    /** Burstable first: it is the most common class, so most lookups stop at the first stat. */
    private static List<Path> candidates(Layout layout, String podUid) {
        Path root = layout.kubepods();
        if (layout.driver() == CgroupDriver.SYSTEMD) {
            // systemd escapes '-' as '_' in a unit name, as '-' separates the slice hierarchy.
            String uid = podUid.replace('-', '_');
            String p = layout.slicePrefix();
            return List.of(
                    root.resolve(p + "-burstable.slice").resolve(p + "-burstable-pod" + uid + ".slice"),
                    root.resolve(p + "-besteffort.slice").resolve(p + "-besteffort-pod" + uid + ".slice"),
                    root.resolve(p + "-pod" + uid + ".slice"));
        }
        return List.of(
                root.resolve("burstable").resolve("pod" + podUid),
                root.resolve("besteffort").resolve("pod" + podUid),
                root.resolve("pod" + podUid));
    }

    /**
     * Breadth first, sorted within a level so the choice is stable; the first level holding a
     * match ends the search. Within that level systemd wins a tie, as the driver the kubelet
     * recommends with cgroup v2 (a leftover cgroupfs tree is the likelier stale one). Matches are
     * not descended into: pod cgroups live below them.
     */
    private static Layout search(Path cgroupRoot) {
        List<Path> level = List.of(cgroupRoot);
        for (int depth = 1; depth <= MAX_DEPTH && !level.isEmpty(); depth++) {
            List<Path> next = new ArrayList<>();
            Path systemd = null;
            Path cgroupfs = null;
            for (Path dir : level) {
                for (Path child : subdirectories(dir)) {
                    String name = child.getFileName().toString();
                    if (name.endsWith("kubepods.slice")) {
                        systemd = systemd == null ? child : systemd;
                    } else if (name.equals("kubepods")) {
                        cgroupfs = cgroupfs == null ? child : cgroupfs;
                    } else {
                        next.add(child);
                    }
                }
            }
            if (systemd != null) {
                String name = systemd.getFileName().toString();
                String origin = "detected" + (cgroupfs == null ? ""
                        : "; a cgroupfs kubepods at " + cgroupfs + " too, systemd preferred");
                return new Layout(CgroupDriver.SYSTEMD, systemd,
                        name.substring(0, name.length() - ".slice".length()), origin);
            }
            if (cgroupfs != null) {
                return new Layout(CgroupDriver.CGROUPFS, cgroupfs, null, "detected");
            }
            level = next;
        }
        return null;
    }

    private static List<Path> subdirectories(Path dir) {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path child : stream) {
                if (Files.isDirectory(child, NOFOLLOW)) {
                    children.add(child);
                }
            }
        } catch (IOException | SecurityException e) {
            // An unreadable or vanished cgroup cannot hold the kubepods root we are after.
            return List.of();
        }
        children.sort(null);
        return children;
    }
}
