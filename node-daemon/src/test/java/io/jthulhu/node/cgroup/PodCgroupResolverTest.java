package io.jthulhu.node.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolver on fake cgroup trees built in a temporary directory (whose inode numbers are real). */
class PodCgroupResolverTest {

    private static final String BURSTABLE = "0b7d4c2e-5f1a-4c3b-9e8d-1a2b3c4d5e6f";
    private static final String BESTEFFORT = "7f3e2d1c-0b9a-4877-a665-544332211000";
    private static final String GUARANTEED = "c0ffee00-1234-4abc-8def-0123456789ab";
    /** A static pod: the kubelet gives it a bare md5 hex UID. */
    private static final String STATIC = "5c8a1e4f9b2d3a7c6e0f1b2a3c4d5e6f";

    @TempDir
    Path root;

    private static String u(String uid) {
        return uid.replace('-', '_');
    }

    private Path mkdirs(String relative) throws IOException {
        return Files.createDirectories(root.resolve(relative));
    }

    private static long inode(Path dir) throws IOException {
        return (Long) Files.getAttribute(dir, "unix:ino");
    }

    private void assertFinds(PodCgroupResolver resolver, String uid, Path expected) throws IOException {
        Optional<PodCgroup> found = resolver.find(uid);
        assertThat(found).as("cgroup of %s", uid).isPresent();
        assertThat(found.get().podUid()).isEqualTo(uid);
        assertThat(found.get().path()).isEqualTo(expected);
        assertThat(found.get().id()).isEqualTo(inode(expected));
    }

    @Test
    void systemdAllQosClasses() throws IOException {
        Path burstable = mkdirs("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + u(BURSTABLE) + ".slice");
        Path besteffort = mkdirs("kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + u(BESTEFFORT) + ".slice");
        Path guaranteed = mkdirs("kubepods.slice/kubepods-pod" + u(GUARANTEED) + ".slice");
        mkdirs("system.slice/containerd.service");

        PodCgroupResolver resolver = PodCgroupResolver.detect(root);

        assertThat(resolver.driver()).isEqualTo(CgroupDriver.SYSTEMD);
        assertThat(resolver.kubepodsRoot()).contains(root.resolve("kubepods.slice"));
        assertThat(resolver.describe()).contains("systemd").contains("kubepods.slice").contains("detected");
        assertFinds(resolver, BURSTABLE, burstable);
        assertFinds(resolver, BESTEFFORT, besteffort);
        assertFinds(resolver, GUARANTEED, guaranteed);
        Set<Long> ids = Set.of(resolver.find(BURSTABLE).get().id(), resolver.find(BESTEFFORT).get().id(),
                resolver.find(GUARANTEED).get().id());
        assertThat(ids).hasSize(3);
        assertThat(resolver.find("11111111-2222-4333-8444-555555555555")).isEmpty();
    }

    @Test
    void cgroupfsAllQosClasses() throws IOException {
        Path burstable = mkdirs("kubepods/burstable/pod" + BURSTABLE);
        Path besteffort = mkdirs("kubepods/besteffort/pod" + BESTEFFORT);
        Path guaranteed = mkdirs("kubepods/pod" + GUARANTEED);

        PodCgroupResolver resolver = PodCgroupResolver.detect(root);

        assertThat(resolver.driver()).isEqualTo(CgroupDriver.CGROUPFS);
        assertThat(resolver.kubepodsRoot()).contains(root.resolve("kubepods"));
        assertFinds(resolver, BURSTABLE, burstable);
        assertFinds(resolver, BESTEFFORT, besteffort);
        assertFinds(resolver, GUARANTEED, guaranteed);
        // a systemd-style name means nothing to the cgroupfs layout
        mkdirs("kubepods/kubepods-pod" + u(STATIC) + ".slice");
        assertThat(resolver.find(STATIC)).isEmpty();
    }

    @Test
    void systemdWithCgroupRootPrefix() throws IOException {
        String kp = "kubelet.slice/kubelet-kubepods.slice/";
        Path burstable = mkdirs(kp + "kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod" + u(BURSTABLE) + ".slice");
        Path besteffort = mkdirs(kp + "kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" + u(BESTEFFORT) + ".slice");
        Path guaranteed = mkdirs(kp + "kubelet-kubepods-pod" + u(GUARANTEED) + ".slice");
        // unprefixed names under the prefixed root are not the kubelet's
        mkdirs(kp + "kubepods-pod" + u(STATIC) + ".slice");

        PodCgroupResolver resolver = PodCgroupResolver.detect(root);

        assertThat(resolver.driver()).isEqualTo(CgroupDriver.SYSTEMD);
        assertThat(resolver.kubepodsRoot()).contains(root.resolve("kubelet.slice/kubelet-kubepods.slice"));
        assertFinds(resolver, BURSTABLE, burstable);
        assertFinds(resolver, BESTEFFORT, besteffort);
        assertFinds(resolver, GUARANTEED, guaranteed);
        assertThat(resolver.find(STATIC)).isEmpty();
    }

    @Test
    void cgroupfsWithCgroupRootPrefix() throws IOException {
        Path burstable = mkdirs("kubelet/kubepods/burstable/pod" + BURSTABLE);
        Path besteffort = mkdirs("kubelet/kubepods/besteffort/pod" + BESTEFFORT);
        Path guaranteed = mkdirs("kubelet/kubepods/pod" + GUARANTEED);

        PodCgroupResolver resolver = PodCgroupResolver.detect(root);

        assertThat(resolver.driver()).isEqualTo(CgroupDriver.CGROUPFS);
        assertThat(resolver.kubepodsRoot()).contains(root.resolve("kubelet/kubepods"));
        assertFinds(resolver, BURSTABLE, burstable);
        assertFinds(resolver, BESTEFFORT, besteffort);
        assertFinds(resolver, GUARANTEED, guaranteed);
    }

    @Test
    void podCgroupIsFoundAboveItsContainerScopes() throws IOException {
        String id = "4f".repeat(32);
        Path containerd = mkdirs("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + u(BURSTABLE) + ".slice");
        Files.createDirectories(containerd.resolve("cri-containerd-" + id + ".scope"));
        Files.createDirectories(containerd.resolve("cri-containerd-" + "a1".repeat(32) + ".scope"));
        Path crio = mkdirs("kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + u(BESTEFFORT) + ".slice");
        Files.createDirectories(crio.resolve("crio-" + id + ".scope"));
        Files.createDirectories(crio.resolve("crio-conmon-" + id + ".scope"));
        Path docker = mkdirs("kubepods.slice/kubepods-pod" + u(GUARANTEED) + ".slice");
        Files.createDirectories(docker.resolve("docker-" + id + ".scope"));
        Files.writeString(docker.resolve("cgroup.procs"), "");

        PodCgroupResolver resolver = PodCgroupResolver.detect(root);

        assertFinds(resolver, BURSTABLE, containerd);
        assertFinds(resolver, BESTEFFORT, crio);
        assertFinds(resolver, GUARANTEED, docker);
        assertThat(names(resolver, BURSTABLE)).containsExactly(
                "cri-containerd-" + "4f".repeat(32) + ".scope", "cri-containerd-" + "a1".repeat(32) + ".scope");
        assertThat(names(resolver, BESTEFFORT)).containsExactly("crio-" + id + ".scope", "crio-conmon-" + id + ".scope");
        // files (cgroup.procs and friends) are not containers
        assertThat(names(resolver, GUARANTEED)).containsExactly("docker-" + id + ".scope");
    }

    @Test
    void cgroupfsContainerDirectoriesBeneathThePod() throws IOException {
        Path pod = mkdirs("kubepods/burstable/pod" + BURSTABLE);
        Files.createDirectories(pod.resolve("ab".repeat(32)));
        Files.createDirectories(pod.resolve("cd".repeat(32)));

        PodCgroupResolver resolver = PodCgroupResolver.detect(root);

        assertFinds(resolver, BURSTABLE, pod);
        assertThat(names(resolver, BURSTABLE)).containsExactly("ab".repeat(32), "cd".repeat(32));
    }

    private static java.util.List<String> names(PodCgroupResolver resolver, String uid) {
        return resolver.containerCgroups(resolver.find(uid).orElseThrow()).stream()
                .map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }

    @Test
    void staticPodUidIsBareHex() throws IOException {
        Path pod = mkdirs("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + STATIC + ".slice");
        assertThat(PodCgroupResolver.isValidUid(STATIC)).isTrue();
        assertFinds(PodCgroupResolver.detect(root), STATIC, pod);
    }

    @Test
    void hostileAndMalformedUidsAreRejected() throws IOException {
        // targets that a path-injecting UID could otherwise reach
        mkdirs("kubepods/burstable/pod../../etc");
        mkdirs("etc");
        mkdirs("kubepods/burstable/pod");
        String upper = BURSTABLE.toUpperCase();
        mkdirs("kubepods/burstable/pod" + upper);
        PodCgroupResolver resolver = PodCgroupResolver.detect(root);

        for (String uid : new String[] {"../../etc", "", "/", BURSTABLE + "/..", "../" + BURSTABLE.substring(3),
                BURSTABLE + "0", BURSTABLE.substring(1), "0b7d4c2e_5f1a_4c3b_9e8d_1a2b3c4d5e6f",
                "0b7d4c2e-5f1a-4c3b-9e8d-1a2b3c4d5e6g", "0b7d4c2e-5f1a4-c3b-9e8d-1a2b3c4d5e6f", " " + BURSTABLE.substring(1),
                BURSTABLE.substring(0, 35) + "\n", "*", upper}) {
            assertThat(PodCgroupResolver.isValidUid(uid)).as("valid %s", uid).isFalse();
            assertThat(resolver.find(uid)).as("find %s", uid).isEmpty();
        }
        assertThat(PodCgroupResolver.isValidUid(null)).isFalse();
        assertThat(resolver.find(null)).isEmpty();
        assertThat(PodCgroupResolver.isValidUid(BURSTABLE)).isTrue();
    }

    @Test
    void missesAreNotCached() throws IOException {
        mkdirs("kubepods.slice/kubepods-burstable.slice");
        PodCgroupResolver resolver = PodCgroupResolver.detect(root);
        assertThat(resolver.find(BURSTABLE)).isEmpty();

        Path pod = mkdirs("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + u(BURSTABLE) + ".slice");
        assertFinds(resolver, BURSTABLE, pod);

        Files.delete(pod);
        assertThat(resolver.find(BURSTABLE)).isEmpty();
    }

    @Test
    void kubepodsRootAppearingLaterIsDetected() throws IOException {
        mkdirs("system.slice/sshd.service");
        PodCgroupResolver resolver = PodCgroupResolver.detect(root);
        assertThat(resolver.kubepodsRoot()).isEmpty();
        assertThat(resolver.describe()).contains("no kubepods");
        assertThat(resolver.find(GUARANTEED)).isEmpty();

        Path pod = mkdirs("kubepods/pod" + GUARANTEED);
        assertFinds(resolver, GUARANTEED, pod);
        assertThat(resolver.driver()).isEqualTo(CgroupDriver.CGROUPFS);
        assertThat(resolver.kubepodsRoot()).contains(root.resolve("kubepods"));
    }

    @Test
    void kubepodsRootReplacedByTheOtherDriverIsFoundAgain() throws IOException {
        Path old = mkdirs("kubepods");
        PodCgroupResolver resolver = PodCgroupResolver.detect(root);
        assertThat(resolver.driver()).isEqualTo(CgroupDriver.CGROUPFS);

        Files.delete(old);
        Path pod = mkdirs("kubepods.slice/kubepods-pod" + u(GUARANTEED) + ".slice");
        assertThat(resolver.find(GUARANTEED)).isEmpty(); // notices the old root is gone
        assertFinds(resolver, GUARANTEED, pod);
        assertThat(resolver.driver()).isEqualTo(CgroupDriver.SYSTEMD);
    }

    @Test
    void shallowestLayoutWinsAndTiesGoToSystemd() throws IOException {
        mkdirs("kubepods/pod" + GUARANTEED);
        mkdirs("kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" + u(GUARANTEED) + ".slice");
        PodCgroupResolver shallow = PodCgroupResolver.detect(root);
        assertThat(shallow.driver()).isEqualTo(CgroupDriver.CGROUPFS);
        assertThat(shallow.find(GUARANTEED).orElseThrow().path()).isEqualTo(root.resolve("kubepods/pod" + GUARANTEED));

        Path pod = mkdirs("kubepods.slice/kubepods-pod" + u(GUARANTEED) + ".slice");
        PodCgroupResolver tie = PodCgroupResolver.detect(root);
        assertThat(tie.driver()).isEqualTo(CgroupDriver.SYSTEMD);
        assertFinds(tie, GUARANTEED, pod);
        assertThat(tie.describe()).contains("cgroupfs kubepods at " + root.resolve("kubepods")).contains("systemd preferred");
    }

    @Test
    void searchStopsThreeLevelsDown() throws IOException {
        mkdirs("a/b/c/kubepods.slice/kubepods-pod" + u(GUARANTEED) + ".slice");
        assertThat(PodCgroupResolver.detect(root).kubepodsRoot()).isEmpty();

        mkdirs("a/b/kubepods/pod" + GUARANTEED);
        PodCgroupResolver resolver = PodCgroupResolver.detect(root);
        assertThat(resolver.kubepodsRoot()).contains(root.resolve("a/b/kubepods"));
        assertThat(resolver.find(GUARANTEED)).isPresent();
    }

    @Test
    void overrideUsesTheGivenLayout() throws IOException {
        // a layout the search would not pick: a cgroupfs root exists too, shallower
        mkdirs("kubepods/pod" + GUARANTEED);
        Path pod = mkdirs("custom.slice/custom-kubepods.slice/custom-kubepods-besteffort.slice/custom-kubepods-besteffort-pod"
                + u(GUARANTEED) + ".slice");
        PodCgroupResolver resolver = PodCgroupResolver.of(root, CgroupDriver.SYSTEMD, Path.of("/custom.slice/custom-kubepods.slice"));

        assertThat(resolver.driver()).isEqualTo(CgroupDriver.SYSTEMD);
        assertThat(resolver.kubepodsRoot()).contains(root.resolve("custom.slice/custom-kubepods.slice"));
        assertThat(resolver.describe()).contains("override");
        assertFinds(resolver, GUARANTEED, pod);

        PodCgroupResolver cgroupfs = PodCgroupResolver.of(root, CgroupDriver.CGROUPFS, Path.of("deep/er/than/three/pods"));
        assertThat(cgroupfs.find(BURSTABLE)).isEmpty();
        Path later = mkdirs("deep/er/than/three/pods/burstable/pod" + BURSTABLE);
        assertFinds(cgroupfs, BURSTABLE, later);

        assertThatThrownBy(() -> PodCgroupResolver.of(root, CgroupDriver.SYSTEMD, Path.of("kubepods")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PodCgroupResolver.of(root, CgroupDriver.CGROUPFS, Path.of("../kubepods")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PodCgroupResolver.of(root, CgroupDriver.CGROUPFS, Path.of("/")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cgroupIdIsTheInode() throws IOException {
        Path a = mkdirs("a");
        Path b = mkdirs("b");
        assertThat(PodCgroupResolver.cgroupId(a)).contains(inode(a));
        assertThat(PodCgroupResolver.cgroupId(b)).contains(inode(b));
        assertThat(inode(a)).isNotEqualTo(inode(b));
        assertThat(PodCgroupResolver.cgroupId(root.resolve("missing"))).isEmpty();
        Path file = Files.writeString(root.resolve("file"), "x");
        assertThat(PodCgroupResolver.cgroupId(file)).isEmpty();
    }
}
