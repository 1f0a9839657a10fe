package io.jthulhu.node.sys;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The attach check follows the kernel's: CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN in place of either. */
class PrivilegesTest {
    private static long caps(int... caps) {
        long mask = 0;
        for (int cap : caps) {
            mask |= 1L << cap;
        }
        return mask;
    }

    @Test
    void theChartsCapabilitiesSufficeWithoutSysAdmin() {
        assertThat(Privileges.canAttachScheduler(caps(Privileges.CAP_BPF, Privileges.CAP_PERFMON))).isTrue();
    }

    @Test
    void sysAdminStandsInForBothAsForRoot() {
        assertThat(Privileges.canAttachScheduler(caps(Privileges.CAP_SYS_ADMIN))).isTrue();
        assertThat(Privileges.canAttachScheduler(caps(Privileges.CAP_SYS_ADMIN, Privileges.CAP_BPF))).isTrue();
        assertThat(Privileges.canAttachScheduler(0x1ff_ffff_ffffL)).isTrue();
    }

    @Test
    void eitherAloneIsNotEnough() {
        assertThat(Privileges.canAttachScheduler(caps(Privileges.CAP_BPF))).isFalse();
        assertThat(Privileges.canAttachScheduler(caps(Privileges.CAP_PERFMON))).isFalse();
        assertThat(Privileges.canAttachScheduler(caps(Privileges.CAP_BPF, Privileges.CAP_PERFMON - 1))).isFalse();
        assertThat(Privileges.canAttachScheduler(0)).isFalse();
    }
}
