#!/bin/sh
# compare-busy-host: compare, while run.sh keeps a CPU-bound process running on the host for the whole run,
# so that the VM's vCPUs lose time to it now and then, as a cloud node's vCPUs lose time to their host.
exec sh /scenarios/compare.sh
