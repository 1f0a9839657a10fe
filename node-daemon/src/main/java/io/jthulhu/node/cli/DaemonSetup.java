package io.jthulhu.node.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jthulhu.crd.NodeSchedulingPlanStatus;
import io.jthulhu.node.cgroup.CgroupDriver;
import io.jthulhu.node.cgroup.PodCgroup;
import io.jthulhu.node.cgroup.PodCgroupResolver;
import io.jthulhu.node.enforce.PlanEnforcer;
import io.jthulhu.node.metrics.NodeHttpServer;
import io.jthulhu.node.metrics.NodeMetrics;
import io.jthulhu.node.plan.KubernetesPlanSource;
import io.jthulhu.node.plan.KubernetesStatusWriter;
import io.jthulhu.node.plan.PlanFileSource;
import io.jthulhu.node.plan.PlanSource;
import io.jthulhu.node.plan.PlanStore;
import io.jthulhu.node.plan.StatusPublisher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;

/** The parts of a running daemon that the {@code run} options choose, built once and closed together. */
record DaemonSetup(PlanSource source, PlanStore store, StatusPublisher status, PlanEnforcer enforcer,
                   NodeMetrics metrics, NodeHttpServer http, KubernetesClient client) implements AutoCloseable {
    private static final Duration PLAN_FILE_POLL = Duration.ofMillis(200);

    /** A node without the Kubernetes API keeps its status to itself. */
    private static final StatusPublisher NO_STATUS = new StatusPublisher() {
        @Override
        public void publish(NodeSchedulingPlanStatus status) {
        }

        @Override
        public boolean publishes() {
            return false;
        }

        @Override
        public void close() {
        }
    };

    static DaemonSetup create(NodeDaemonMain.Run o) {
        if (o.kubernetes && o.planFile != null) {
            throw new IllegalArgumentException("--kubernetes and --plan-file are two plan sources: choose one");
        }
        PodCgroupResolver resolver = resolver(o);
        PlanEnforcer enforcer = new PlanEnforcer(uid -> resolver.find(uid).map(PodCgroup::id)
                .map(OptionalLong::of).orElse(OptionalLong.empty()));
        NodeMetrics metrics = new NodeMetrics();
        PlanSource source = null;
        StatusPublisher status = NO_STATUS;
        KubernetesClient client = null;
        if (o.kubernetes) {
            String node = o.nodeName != null ? o.nodeName : System.getenv("NODE_NAME");
            if (node == null || node.isBlank()) {
                throw new IllegalArgumentException("--kubernetes needs this node's name: set NODE_NAME (the downward API's"
                        + " spec.nodeName) or --node-name");
            }
            client = new KubernetesClientBuilder().build();
            source = new KubernetesPlanSource(client, node);
            status = new KubernetesStatusWriter(client, node);
        } else if (o.planFile != null) {
            source = new PlanFileSource(o.planFile, PLAN_FILE_POLL);
        }
        PlanStore store = source == null ? null : new PlanStore(o.stateDir);
        NodeHttpServer http = null;
        if (o.httpPort >= 0) {
            try {
                http = new NodeHttpServer(new InetSocketAddress(o.httpPort), metrics.registry(), () -> true, () -> null);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot serve HTTP on port " + o.httpPort, e);
            }
        }
        return new DaemonSetup(source, store, status, enforcer, metrics, http, client);
    }

    private static PodCgroupResolver resolver(NodeDaemonMain.Run o) {
        String driver = o.cgroupDriver.toLowerCase(Locale.ROOT);
        if (driver.equals("auto")) {
            if (o.kubepodsCgroup != null) {
                throw new IllegalArgumentException("--kubepods-cgroup needs --cgroup-driver systemd or cgroupfs");
            }
            return PodCgroupResolver.detect(o.cgroupRoot);
        }
        CgroupDriver d = switch (driver) {
            case "systemd" -> CgroupDriver.SYSTEMD;
            case "cgroupfs" -> CgroupDriver.CGROUPFS;
            default -> throw new IllegalArgumentException("--cgroup-driver: '" + o.cgroupDriver
                    + "' is not one of auto, systemd, cgroupfs");
        };
        if (o.kubepodsCgroup == null) {
            throw new IllegalArgumentException("--cgroup-driver " + driver + " needs --kubepods-cgroup");
        }
        return PodCgroupResolver.of(o.cgroupRoot, d, o.kubepodsCgroup);
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        if (client != null) {
            client.close();
        }
    }
}
