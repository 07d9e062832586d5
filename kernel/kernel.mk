# SPDX-License-Identifier: GPL-2.0
#
# kernel/kernel.mk - the kernel tier of vz.  Included by the top-level
# Makefile; also usable alone: make -f kernel/kernel.mk <target>.
#
# Targets:
#   kernel          build the patched bzImage into the cache, print its path
#   kernel-vanilla  same base and config without the series (reference)
#   check-kernel    build if needed, boot under QEMU/TCG, run the project's
#                   kselftests, the upstream cgroup+proc kselftests (compared
#                   with the unpatched baseline) and the guest tier: the
#                   tools of build/ and the integration tests marked
#                   "# guest: yes" (selftests/qemu/), and two guests on one
#                   link for live migration between them (run-pair.sh);
#                   non-zero on any failure
#   kernel-baseline re-record kernel/upstream-kselftest-baseline.txt on the
#                   unpatched kernel (builds it: ~4 min with a warm ccache,
#                   ~16-28 min cold), KERNEL_BASELINE_RUNS boots merged
#   bench-kernel    micro-benchmarks, patched vs unpatched (builds both),
#                   under QEMU -icount; /proc reads, kernel vs LXCFS
#   kernel-selftests  compile selftests/kernel only
#   kernel-checkpatch scripts/checkpatch.pl --strict on every patch
#   kernel-deps     apt-get install the Debian packages this tier needs
#   kernel-clean    remove this tier's build outputs inside the repo
#
# Variables (environment or command line):
#   KERNEL_CACHE_DIR   cache root outside the repo (default /var/cache/vz/kernel)
#   KERNEL_JOBS        parallel jobs (default: nproc)
#   KERNEL_OUT         repo-local output dir (default <repo>/build/kernel)
#   QEMU_EXTRA_FILES   HOST:GUEST pairs added to the guest initramfs; tests
#                      go to /vz-tests/integration (see selftests/qemu/)
#   KERNEL_QEMU_TIMEOUT, KERNEL_TEST_TIMEOUT, KERNEL_QEMU_MEM, KERNEL_QEMU_SMP
#   KERNEL_ITEST_TIMEOUT  per integration test file in the guest (default 420 s;
#                      the slowest, 17-debian.t, takes ~70-150 s under TCG)
#   KERNEL_SCRATCH_SIZE   the guest's ext4 /tmp disk, sparse (default 8G)
#   KERNEL_SUITES      vz-kernel,upstream,integration (default all)
#   KERNEL_USER_TIER   yes (default): the user-space tier in the guest; no
#   VZ_TEST_CACHE_DIR  where 17-debian.t keeps the Debian template cache
#                      (default /var/cache/vz/test-templates); the guest gets
#                      it as a read-only disk when it exists

KERNEL_TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
KERNEL_CACHE_DIR ?= /var/cache/vz/kernel
KERNEL_JOBS ?= $(shell nproc)
KERNEL_OUT ?= $(KERNEL_TOP)/build/kernel
KERNEL_SUITES ?= all
KERNEL_BASELINE_RUNS ?= 3
KERNEL_BASELINE := $(KERNEL_TOP)/kernel/upstream-kselftest-baseline.txt
KERNEL_BUILD := KERNEL_CACHE_DIR=$(KERNEL_CACHE_DIR) KERNEL_JOBS=$(KERNEL_JOBS) \
	$(KERNEL_TOP)/kernel/build.sh
KERNEL_DEB_PACKAGES := linux-source-6.1 build-essential flex bison bc libelf-dev \
	libssl-dev cpio ccache qemu-system-x86 busybox-static kmod rsync perl \
	python3 python3-ply python3-git file gzip xz-utils lxcfs

KERNEL_USER_TIER ?= yes
VZ_TEST_CACHE_DIR ?= /var/cache/vz/test-templates

export QEMU_EXTRA_FILES KERNEL_QEMU_TIMEOUT KERNEL_TEST_TIMEOUT KERNEL_QEMU_MEM \
	KERNEL_QEMU_SMP KERNEL_ITEST_TIMEOUT KERNEL_SCRATCH_SIZE

.PHONY: kernel kernel-vanilla check-kernel kernel-baseline bench-kernel \
	kernel-selftests kernel-checkpatch kernel-deps kernel-clean

kernel:
	@$(KERNEL_BUILD)

kernel-vanilla:
	@$(KERNEL_BUILD) --unpatched

# The selftests need kselftest.h and the uapi headers of the built tree.
kernel-selftests:
	@img=$$($(KERNEL_BUILD) --dir) && \
	$(MAKE) --no-print-directory -C $(KERNEL_TOP)/selftests/kernel \
		KSFT_IMAGE=$$img OUTPUT=$(KERNEL_OUT)/selftests

# The guest tier (KERNEL_USER_TIER=yes and the integration suite selected):
# build/ as it is after `make all`, the integration tests marked
# "# guest: yes", and 17-debian.t's Debian cache (its name carries the
# hash of templates/mk-debian) when the host tier has built it.  Then the
# same tools in two guests joined by a socket network for the migration
# between two machines (selftests/qemu/run-pair.sh, ~5 min).
check-kernel:
	@img=$$($(KERNEL_BUILD) --dir) && \
	$(MAKE) --no-print-directory -C $(KERNEL_TOP)/selftests/kernel \
		KSFT_IMAGE=$$img OUTPUT=$(KERNEL_OUT)/selftests && \
	user= && \
	if [ "$(KERNEL_USER_TIER)" = yes ] && \
	   case ",$(KERNEL_SUITES)," in *,all,*|*,integration,*) true;; *) false;; esac; then \
		$(MAKE) --no-print-directory -C $(KERNEL_TOP) all && \
		user="-u $(KERNEL_TOP)" && \
		deb=$(VZ_TEST_CACHE_DIR)/debian-12-x86_64-$$(sha256sum $(KERNEL_TOP)/templates/mk-debian | cut -c1-12).tar.xz && \
		if [ -s "$$deb" ]; then user="$$user -c $$deb"; \
		else echo "check-kernel: no Debian cache $$deb (the host tier's 17-debian.t builds it)"; fi; \
	fi && { \
	rc=0; \
	$(KERNEL_TOP)/selftests/qemu/run.sh -i $$img -t $(KERNEL_OUT)/selftests \
		-b $(KERNEL_BASELINE) -s $(KERNEL_SUITES) -l $(KERNEL_OUT)/console.log $$user || rc=1; \
	if [ -n "$$user" ]; then \
		$(KERNEL_TOP)/selftests/qemu/run-pair.sh -i $$img -u $(KERNEL_TOP) \
			-l $(KERNEL_OUT)/console-pair || rc=1; \
	fi; \
	exit $$rc; }

# KERNEL_BASELINE_RUNS boots, merged: results that vary become "flaky".
kernel-baseline:
	@img=$$($(KERNEL_BUILD) --unpatched --dir) && \
	runs= && for i in $$(seq $(KERNEL_BASELINE_RUNS)); do \
		$(KERNEL_TOP)/selftests/qemu/run.sh -i $$img -s upstream \
			-l $(KERNEL_OUT)/console-vanilla-$$i.log \
			-r $(KERNEL_OUT)/baseline-$$i.txt || exit 1; \
		runs="$$runs $(KERNEL_OUT)/baseline-$$i.txt"; \
	done && \
	$(KERNEL_TOP)/selftests/qemu/tap-check.sh --merge $(KERNEL_BASELINE) $$runs

bench-kernel:
	@$(KERNEL_TOP)/bench/kernel/run.sh

kernel-checkpatch:
	@$(KERNEL_TOP)/kernel/checkpatch.sh

kernel-deps:
	apt-get install -y $(KERNEL_DEB_PACKAGES)

kernel-clean:
	rm -rf $(KERNEL_OUT)
