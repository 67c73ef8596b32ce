# nfvcap — one Makefile, driven by pkg-config.
#
#   make                 build everything into build/
#   make check           unit + component tests, again under ASan/UBSan, then the lab
#   make unit|component|lab
#   make bench           benchmarks (figures printed beside a reference measured in the same run)
#   make demo            the README's main job: boot the SR-IOV lab and walk through it
#   make install         DESTDIR= and PREFIX= are honoured
#   make SANITIZE=1      build into build-asan/ with ASan + UBSan

VERSION    := 0.1.0
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR?= $(PREFIX)/lib/sysusers.d

PKG_CONFIG ?= pkg-config
CC         ?= cc

ifeq ($(SANITIZE),1)
BUILD      ?= build-asan
SANFLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD      ?= build
SANFLAGS   :=
endif

DAEMON_PKGS := libsystemd libmicrohttpd json-c libpci libnl-3.0 libnl-route-3.0
CLI_PKGS    := libcurl json-c
TEST_PKGS   := cmocka json-c libsystemd libnl-3.0

pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(1))
pkg_libs   = $(shell $(PKG_CONFIG) --libs $(1))

CFLAGS   ?= -O2 -g
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers -Wstrict-prototypes \
            -Wformat=2 -Wvla-larger-than=4096
override CFLAGS += -std=gnu11 $(WARNINGS) $(SANFLAGS) -fstack-protector-strong -D_GNU_SOURCE \
            -DNFVCAP_VERSION='"$(VERSION)"' -Icommon -Iproto -Idaemon -MMD -MP
override LDFLAGS += $(SANFLAGS)

# Sources by area. Each feature appends its own files with += on its own lines.
COMMON_SRC := common/log.c
PROTO_SRC  := proto/addr.c proto/error.c proto/inventory.c proto/jsonutil.c proto/vfsettings.c
HW_SRC     := daemon/hw/family.c daemon/hw/sriov.c daemon/hw/sysfs.c daemon/hw/netdev.c \
              daemon/hw/pci.c daemon/hw/uevent.c daemon/hw/rtnl.c daemon/hw/vfcount.c \
              daemon/hw/vfcaps.c daemon/hw/nlwatch.c daemon/hw/regio.c
DAEMON_SRC := daemon/conf.c daemon/core/manager.c daemon/core/inventory.c \
              daemon/api/server.c daemon/api/listen.c daemon/api/routes.c daemon/api/pfs.c \
              daemon/api/vfs.c daemon/api/state.c daemon/api/registers.c \
              daemon/api/system.c daemon/store/statefile.c daemon/core/desired.c \
              daemon/core/plan.c daemon/core/runtime.c daemon/core/observe.c \
              daemon/core/apply.c daemon/core/reconcile.c daemon/core/regplan.c \
              daemon/core/audit.c
CLI_SRC    := cli/nfvcapctl.c cli/client.c cli/table.c cli/commands-pf.c cli/commands-vf.c \
              cli/commands-regs.c
UNIT_TESTS := test-addr test-error test-inventory-json test-sriov test-family test-conf \
              test-uevent test-routes
UNIT_TESTS += test-plan test-desired

# nfvcap-agent (issue 7): the agent and its engines; the host end of its channel.
PROTO_SRC  += proto/agent-frame.c proto/agent-msg.c
AGENT_PKGS := libsystemd json-c libpcap libkmod
AGENT_SRC  := agent/main.c agent/session.c agent/channel.c agent/stats.c agent/devices.c \
              agent/nic.c agent/sysutil.c agent/engine.c agent/pcapout.c agent/pcibind.c \
              agent/kmod.c agent/ethtool.c agent/engines/afpacket.c agent/engines/hpcapvf.c \
              agent/engines/hpcap-ring.c
AGENT_DPDK_SRC := agent/engines/dpdk.c
DAEMON_SRC += daemon/agentlink/channel.c daemon/core/monitors.c daemon/core/events.c \
              daemon/api/monitors.c daemon/api/events.c daemon/api/metrics.c
CLI_SRC    += cli/commands-stats.c
UNIT_TESTS += test-agent-frame test-agent-msg test-hpcap-ring test-agent-stats

# NIC family register models (issue 6): tables and pure encoders/decoders, no I/O.
# NIC_NAMES_SRC: the JSON names alone, for code that parses desired state.
NIC_NAMES_SRC := daemon/hw/nic/names.c
NIC_SRC    := daemon/hw/nic/nic.c daemon/hw/nic/ixgbe.c daemon/hw/nic/igb.c $(NIC_NAMES_SRC)
HW_SRC     += $(NIC_SRC)
UNIT_TESTS += test-nic-ixgbe test-nic-igb

DAEMON_SRC += $(HW_SRC)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

PROTO_LIB  := $(BUILD)/libnfvcap-proto.a
NFVCAPD    := $(BUILD)/nfvcapd
NFVCAPCTL  := $(BUILD)/nfvcapctl

UNIT_BINS  := $(addprefix $(BUILD)/tests/,$(UNIT_TESTS))
BENCH_BINS := $(BUILD)/bench/http-load $(BUILD)/bench/mhd-reference $(BUILD)/bench/regio-bench

.PHONY: all clean check unit component lab bench demo install check-asan
all: $(NFVCAPD) $(NFVCAPCTL)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(call pkg_cflags,$(DAEMON_PKGS) $(CLI_PKGS) cmocka) -c $< -o $@

$(PROTO_LIB): $(call obj,$(PROTO_SRC))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(NFVCAPD): $(call obj,daemon/main.c $(DAEMON_SRC) $(COMMON_SRC)) $(PROTO_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(DAEMON_PKGS))

$(NFVCAPCTL): $(call obj,$(CLI_SRC)) $(PROTO_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(CLI_PKGS))

# Unit tests link the module under test and whatever it needs, nothing more.
UNIT_LIBS := $(PROTO_LIB) $(call pkg_libs,$(TEST_PKGS) $(DAEMON_PKGS))
$(BUILD)/tests/test-addr: $(call obj,tests/unit/test-addr.c)
$(BUILD)/tests/test-error: $(call obj,tests/unit/test-error.c)
$(BUILD)/tests/test-inventory-json: $(call obj,tests/unit/test-inventory-json.c)
$(BUILD)/tests/test-sriov: $(call obj,tests/unit/test-sriov.c daemon/hw/sriov.c)
$(BUILD)/tests/test-family: $(call obj,tests/unit/test-family.c daemon/hw/family.c)
$(BUILD)/tests/test-conf: $(call obj,tests/unit/test-conf.c daemon/conf.c $(COMMON_SRC))
$(BUILD)/tests/test-uevent: $(call obj,tests/unit/test-uevent.c daemon/hw/uevent.c daemon/hw/nlwatch.c \
                                       $(COMMON_SRC))
$(BUILD)/tests/test-routes: $(call obj,tests/unit/test-routes.c $(DAEMON_SRC) $(COMMON_SRC))
$(BUILD)/tests/test-plan: $(call obj,tests/unit/test-plan.c daemon/core/plan.c daemon/core/desired.c \
                                     daemon/hw/rtnl.c daemon/hw/nlwatch.c $(COMMON_SRC) \
                                     $(NIC_NAMES_SRC))
$(BUILD)/tests/test-desired: $(call obj,tests/unit/test-desired.c daemon/core/desired.c $(NIC_NAMES_SRC))
$(BUILD)/tests/test-nic-ixgbe: $(call obj,tests/unit/test-nic-ixgbe.c $(NIC_SRC) daemon/hw/family.c)
$(BUILD)/tests/test-nic-igb: $(call obj,tests/unit/test-nic-igb.c $(NIC_SRC) daemon/hw/family.c)
$(UNIT_BINS): $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(UNIT_LIBS)

$(BUILD)/bench/http-load: $(call obj,tests/bench/http-load.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,libcurl) -lpthread -lm
$(BUILD)/bench/regio-bench: $(call obj,tests/bench/regio-bench.c daemon/hw/regio.c daemon/hw/sysfs.c \
                                        $(NIC_SRC) daemon/hw/family.c $(COMMON_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PROTO_LIB) $(call pkg_libs,libsystemd json-c)
$(BUILD)/bench/mhd-reference: $(call obj,tests/bench/mhd-reference.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,libmicrohttpd)

unit: $(UNIT_BINS)
	@tests/unit/run $(UNIT_BINS)

component: all
	@NFVCAP_BUILD=$(BUILD) python3 tests/component/run.py

lab: all
	@tests/lab/run

check:
	$(MAKE) unit component
	$(MAKE) SANITIZE=1 unit component
	$(MAKE) lab

bench: all $(BENCH_BINS)
	@NFVCAP_BUILD=$(BUILD) tests/bench/run

demo: all
	@tests/lab/demo

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(SYSCONFDIR)/nfvcap
	install -m 0755 $(NFVCAPD) $(DESTDIR)$(SBINDIR)/nfvcapd
	install -m 0755 $(NFVCAPCTL) $(DESTDIR)$(BINDIR)/nfvcapctl
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/nfvcapd.service.in > $(DESTDIR)$(UNITDIR)/nfvcapd.service
	install -m 0644 systemd/nfvcapd.socket $(DESTDIR)$(UNITDIR)/nfvcapd.socket
	install -m 0644 systemd/nfvcap.tmpfiles $(DESTDIR)$(TMPFILESDIR)/nfvcap.conf
	install -m 0644 systemd/nfvcap.sysusers $(DESTDIR)$(SYSUSERSDIR)/nfvcap.conf
	install -m 0644 docs/man/nfvcapd.8 $(DESTDIR)$(MANDIR)/man8/nfvcapd.8
	install -m 0644 docs/man/nfvcapd.conf.5 $(DESTDIR)$(MANDIR)/man5/nfvcapd.conf.5
	install -m 0644 docs/man/nfvcapctl.1 $(DESTDIR)$(MANDIR)/man1/nfvcapctl.1
	test -e $(DESTDIR)$(SYSCONFDIR)/nfvcap/nfvcapd.conf || \
		install -m 0644 systemd/nfvcapd.conf $(DESTDIR)$(SYSCONFDIR)/nfvcap/nfvcapd.conf

clean:
	rm -rf build build-asan

# nfvcap-agent. Only the DPDK engine is compiled with DPDK's flags (they add
# -march=corei7); the rest of the agent stays portable.
NFVCAP_AGENT := $(BUILD)/nfvcap-agent
all: $(NFVCAP_AGENT)
$(call obj,$(AGENT_SRC) $(AGENT_DPDK_SRC)): override CFLAGS += -Iagent
$(call obj,$(AGENT_DPDK_SRC)): $(AGENT_DPDK_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(call pkg_cflags,libdpdk $(AGENT_PKGS)) -c $< -o $@
$(NFVCAP_AGENT): $(call obj,$(AGENT_SRC) $(AGENT_DPDK_SRC) $(COMMON_SRC)) $(PROTO_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(AGENT_PKGS) libdpdk) -lpthread
$(BUILD)/tests/test-agent-frame: $(call obj,tests/unit/test-agent-frame.c)
$(BUILD)/tests/test-agent-msg: $(call obj,tests/unit/test-agent-msg.c)
$(BUILD)/tests/test-hpcap-ring: $(call obj,tests/unit/test-hpcap-ring.c agent/engines/hpcap-ring.c)
$(BUILD)/tests/test-agent-stats: $(call obj,tests/unit/test-agent-stats.c agent/stats.c)
$(call obj,tests/unit/test-hpcap-ring.c tests/unit/test-agent-stats.c): override CFLAGS += -Iagent
install: install-agent
install-agent: $(NFVCAP_AGENT)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(NFVCAP_AGENT) $(DESTDIR)$(SBINDIR)/nfvcap-agent
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/nfvcap-agent.service.in > \
		$(DESTDIR)$(UNITDIR)/nfvcap-agent.service
	install -m 0644 docs/man/nfvcap-agent.8 $(DESTDIR)$(MANDIR)/man8/nfvcap-agent.8
.PHONY: install-agent

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
