# SPDX-License-Identifier: GPL-2.0
#
# One entry point: from a fresh Debian machine to a patched Linux 7.2
# booted in virtme-ng.  `make help` lists the targets.

include kernel/version.mk

BUILD    := $(CURDIR)/build
# The pristine base: the user's own v7.2.y tree, or Debian's linux-source.
KSRC     ?=
PRISTINE := $(if $(KSRC),$(abspath $(KSRC)),$(BUILD)/src/linux-source)
KTREE    := $(BUILD)/linux
KOBJ     := $(BUILD)/obj
BZIMAGE  := $(KOBJ)/arch/x86/boot/bzImage
# make bench boots the same kernel without debug.config's checks, and
# stock Linux (no patches) with the same configuration, to compare.
BENCH_KOBJ := $(BUILD)/obj-bench
STOCK_TREE := $(BUILD)/stock/linux
STOCK_KOBJ := $(BUILD)/obj-stock
RESULTS  := $(BUILD)/results
V        ?= 0
export V

ifeq ($(V),1)
Q :=
S :=
else
Q := @
S := -s
endif

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.PHONY: all help deps deps-tools source patch kernel bpf zpooltop selftests vmtest \
	host-test patches-check build-matrix check demo bench bench-gcma bench-kernel stress stock-kernel \
	install uninstall clean \
	distclean

all: kernel zpooltop selftests

help:
	@echo 'make                fetch the source, build the patched kernel, zpooltop and the selftests'
	@echo 'make demo           boot the patched kernel and show compressed memory at work'
	@echo 'make check          build everything, run every test (host and VM)'
	@echo 'make deps           install missing Debian packages (root), or say which'
	@echo 'make deps-tools     only those zpooltop and the BPF programs need'
	@echo 'make source         fetch the pinned $(DEBIAN_SOURCE_PKG) (or check KSRC=)'
	@echo 'make patch          apply patches/series to a copy of the source'
	@echo 'make kernel         build bzImage from kernel/configs/*.config (lockdep, KASAN on'
	@echo '                    the series'"'"' files, kmemleak, KUnit)'
	@echo 'make bpf            build the CO-RE BPF programs and their skeletons'
	@echo 'make zpooltop       build tools/zpooltop into build/zpooltop/ (no kernel tree needed)'
	@echo 'make install        install zpooltop, its man page and the bpftrace scripts'
	@echo '                    under $$(DESTDIR)$$(PREFIX) (PREFIX=/usr/local)'
	@echo 'make uninstall      remove what make install installed'
	@echo 'make bench          boot stock Linux and a kernel without debug checks, and run'
	@echo '                    the benchmarks (zswap throughput against stock)'
	@echo '                    (not part of check)'
	@echo 'make bench-gcma     only its GCMA-against-CMA part: allocation latency, write-through cost'
	@echo 'make stress         every disturbance at once for ZP_STRESS_SECONDS (600), on the test kernel'
	@echo 'make selftests      build the VM tests and workload tools into build/selftests/'
	@echo 'make host-test      the host tests (pipeline, verdicts, zpooltop; no kernel tree needed)'
	@echo 'make vmtest         boot the kernel in virtme-ng and run selftests/'
	@echo 'make patches-check  checkpatch --strict and a bisect build of every patch'
	@echo 'make build-matrix   the series on x86_64, i386 and arm64 configurations, warning-free'
	@echo 'make clean          remove objects, results and VM files (keeps the source)'
	@echo 'make distclean      remove build/'
	@echo 'Variables: KSRC=path/to/v$(KERNEL_BASE).y  VMTEST_KVM=0|1  V=1'
	@echo '           VMLINUX_BTF=/sys/kernel/btf/vmlinux (BPF types from that kernel)'

deps:
	$(Q)scripts/deps.sh

deps-tools:
	$(Q)TOOLS_ONLY=1 scripts/deps.sh

source: deps
ifneq ($(KSRC),)
	$(Q)kernel/check-tree.sh '$(PRISTINE)' $(KERNEL_BASE)
else
	$(Q)kernel/fetch-source.sh $(BUILD)/src
endif

patch: source
	$(Q)kernel/apply-series.sh '$(PRISTINE)' $(KTREE) patches

kernel: patch
	$(Q)kernel/build.sh $(KTREE) $(KOBJ) kernel/configs bzImage modules

# The BPF programs build against bpf/vmlinux/ (or VMLINUX_BTF=), not the
# kernel tree: zpooltop builds on its own.
bpf:
	$(Q)$(MAKE) $(S) -C bpf OUT=$(BUILD)/bpf

zpooltop: bpf
	$(Q)$(MAKE) $(S) -C tools/zpooltop OUT=$(BUILD)/zpooltop BPF_OUT=$(BUILD)/bpf

PREFIX  ?= /usr/local
DESTDIR ?=
install: zpooltop
	$(Q)$(MAKE) $(S) -C tools/zpooltop install OUT=$(BUILD)/zpooltop \
		PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)'

uninstall:
	$(Q)$(MAKE) $(S) -C tools/zpooltop uninstall PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)'

# kselftest.h comes from the patched tree.
selftests: patch bpf
	$(Q)$(MAKE) $(S) -C selftests KTREE=$(KTREE) OUT=$(BUILD)/selftests BPF_OUT=$(BUILD)/bpf

# The guest finds zpooltop next to the selftests, in $(BUILD)/zpooltop.
vmtest: kernel zpooltop selftests
	$(Q)vmtest/run.sh $(BZIMAGE) $(BUILD)/selftests $(RESULTS)

# The host tests run the zpooltop binary too (its errors on this kernel).
# They need no kernel tree.
host-test: zpooltop
	$(Q)mkdir -p $(RESULTS)
	$(Q)$(MAKE) $(S) -C selftests host OUT=$(BUILD)/selftests
	$(Q)ZPOOLTOP=$(BUILD)/zpooltop/zpooltop selftests/host/run.sh $(RESULTS) \
		$(BUILD)/selftests/host

# The whole test run: the series' review gates, host tests, then the VM.
# The last line is the tally.
# Each step is timed on its own, so the set-up steps are named too.  The
# kernel is built first, so that the bisect builds and the build matrix
# find what they share with it in ccache.  One kernel runs every test:
# it has lockdep, KASAN on the series' files and kmemleak.
check:
	$(Q)MAKE="$(MAKE)" scripts/check.sh $(RESULTS) deps source \
		kernel patches-check build-matrix zpooltop selftests host-test vmtest

demo: kernel zpooltop selftests
	$(Q)vmtest/run.sh --demo $(BZIMAGE) $(BUILD)/selftests $(RESULTS)

bench-kernel: patch
	$(Q)kernel/build.sh $(KTREE) $(BENCH_KOBJ) kernel/configs \
		--extra=kernel/configs/bench/nodebug.config bzImage modules

# Stock Linux: the pristine source with an empty series, built like the
# benchmark kernel (options the series adds are unknown to it and dropped).
stock-kernel: source
	$(Q)mkdir -p $(BUILD)/stock/no-patches && : > $(BUILD)/stock/no-patches/series
	$(Q)kernel/apply-series.sh '$(PRISTINE)' $(STOCK_TREE) $(BUILD)/stock/no-patches
	$(Q)kernel/build.sh $(STOCK_TREE) $(STOCK_KOBJ) kernel/configs --prefix=stock \
		--extra=kernel/configs/bench/nodebug.config bzImage modules

# Stock Linux first (zswap's baseline throughput), then the series.
bench: bench-kernel stock-kernel zpooltop selftests
	$(Q)vmtest/run.sh --baseline $(STOCK_KOBJ)/arch/x86/boot/bzImage $(BUILD)/selftests $(RESULTS)
	$(Q)vmtest/run.sh --bench $(BENCH_KOBJ)/arch/x86/boot/bzImage $(BUILD)/selftests $(RESULTS)

# Every disturbance at once on the test kernel, for ZP_STRESS_SECONDS
# (600 unless set); make check runs the same test for 30 s.
stress: kernel zpooltop selftests
	$(Q)ZP_STRESS_SECONDS=$${ZP_STRESS_SECONDS:-600} vmtest/run.sh --stress $(BZIMAGE) $(BUILD)/selftests $(RESULTS)

# Only GCMA against CMA (bench-gcma.sh), on the benchmark kernel.
bench-gcma: bench-kernel zpooltop selftests
	$(Q)vmtest/run.sh --bench-gcma $(BENCH_KOBJ)/arch/x86/boot/bzImage $(BUILD)/selftests $(RESULTS)

# The files the series touches, compiled on the configurations a kernel
# robot builds (kernel/configs/matrix/variants); objects are kept in
# $(BUILD)/matrix between runs.
build-matrix: patch
	$(Q)mkdir -p $(RESULTS)
	$(Q)echo "  CHECK   the series' files on $$(grep -c '^[a-z]' kernel/configs/matrix/variants) configurations (build matrix)"
	$(Q)kernel/build-matrix.sh $(KTREE) patches kernel/configs/matrix $(BUILD)/matrix \
		> $(RESULTS)/build-matrix.tap; \
	grep -A20 '^not ok' $(RESULTS)/build-matrix.tap; \
	! grep -q '^not ok' $(RESULTS)/build-matrix.tap

patches-check: source
	$(Q)mkdir -p $(RESULTS)
	$(Q)echo "  CHECK   checkpatch --strict, and a build of every prefix of the series"
	$(Q)kernel/patches-check.sh '$(PRISTINE)' patches kernel/configs $(BUILD)/bisect \
		> $(RESULTS)/patches-check.tap; \
	grep -A20 '^not ok' $(RESULTS)/patches-check.tap; \
	! grep -q '^not ok' $(RESULTS)/patches-check.tap

clean:
	rm -rf $(KOBJ) $(BENCH_KOBJ) $(STOCK_KOBJ) $(BUILD)/bpf $(BUILD)/zpooltop $(BUILD)/selftests $(RESULTS) \
		$(BUILD)/bisect $(BUILD)/matrix $(BUILD)/vm

distclean:
	rm -rf $(BUILD)
