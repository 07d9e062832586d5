# vz: build, install, test.  See README.md.
#
#   make deps      install the Debian packages the build and the tests need
#   make           build vzctl, vzlist, vztmpl, vzquota (into build/)
#   make install   install under $(DESTDIR)$(PREFIX) and $(DESTDIR)/etc/vz
#   make check     host tier: unit tests (also under ASan/UBSan) + root integration tests
#   make test      check + the kernel/QEMU tier (check-kernel)
#   make bench     benchmarks, side by side with LXC
#   make demo      the main job end to end: deps, build, install, template, create, start, exec

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec/vz
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR	?= /lib/systemd/system
DESTDIR	?=

CC	?= gcc
PKGS	:= libcap libarchive libseccomp libnl-3.0 libnl-route-3.0 libprotobuf-c libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libarchive is dlopen'ed (lib/archive-dl.c): only its headers are needed at build time.
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libarchive,$(PKGS)) 2>/dev/null)
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
	   -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation -fno-strict-aliasing -Ilib $(PKG_CFLAGS) \
	   -DVZ_LIBEXECDIR=\"$(LIBEXECDIR)\" -DVZ_VERSION=\"$(VERSION)\"
LDLIBS	+= $(PKG_LIBS)
VERSION	:= 0.1.0

B	:= build
LIB_SRC	:= $(wildcard lib/*.c)
O	:= $(B)/obj
# protobuf-c bindings, generated at build time: CRIU's RPC protocol from the
# criu package's rpc.proto, and our own records in proto/.
GEN	:= $(B)/gen
CRIU_PROTO_DIR ?= /usr/include/criu
GEN_SRC	:= $(GEN)/rpc.pb-c.c $(patsubst proto/%.proto,$(GEN)/%.pb-c.c,$(wildcard proto/*.proto))
GEN_HDR	:= $(GEN_SRC:.c=.h)
CFLAGS	+= -I$(GEN)
LIB_OBJ	:= $(LIB_SRC:%.c=$(O)/%.o) $(GEN_SRC:%.c=$(O)/%.o)
CLI_COMMON := vzctl/cli.c
VZCTL_SRC := $(filter-out vzctl/vzlist.c vzctl/vzubc.c,$(wildcard vzctl/*.c))
VZLIST_SRC := vzctl/vzlist.c $(CLI_COMMON)
VZUBC_SRC := vzctl/vzubc.c vzctl/cmd-ubc.c $(CLI_COMMON)
VZTMPL_SRC := templates/vztmpl.c $(CLI_COMMON)
VZQUOTA_SRC := vzquota/vzquota.c
VZMIGRATE_SRC := vzmigrate/vzmigrate.c
BINS	:= $(B)/vzctl $(B)/vzlist $(B)/vztmpl $(B)/vzmigrate $(B)/vzquota $(B)/vzubc

# Debian packages for building, testing and benchmarking (kernel tier adds its own).
DEPS	:= build-essential pkg-config libcap-dev libarchive-dev libnl-3-dev \
	   libnl-route-3-dev libseccomp-dev busybox-static iproute2 util-linux procps \
	   e2fsprogs xfsprogs xz-utils gzip tar perl python3 lxc hyperfine debootstrap uidmap iperf3 \
	   criu protobuf-c-compiler libprotobuf-c-dev libssl-dev attr acl libnftables-dev \
	   nftables

all: $(BINS)

# Rebuild when the paths compiled into the binaries change (make install PREFIX=...).
STAMP := $(B)/.paths
$(shell mkdir -p $(B); echo '$(LIBEXECDIR) $(VERSION)' | cmp -s - $(STAMP) || echo '$(LIBEXECDIR) $(VERSION)' > $(STAMP))

$(O)/%.o: %.c $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(GEN)/rpc.pb-c.c $(GEN)/rpc.pb-c.h &: $(CRIU_PROTO_DIR)/rpc.proto
	@mkdir -p $(GEN)
	protoc-c --proto_path=$(CRIU_PROTO_DIR) --c_out=$(GEN) $<

$(GEN)/%.pb-c.c $(GEN)/%.pb-c.h &: proto/%.proto
	@mkdir -p $(GEN)
	protoc-c --proto_path=proto --c_out=$(GEN) $<

# The first build has no .d files yet: every object waits for the bindings.
$(LIB_OBJ) $(VZMIGRATE_SRC:%.c=$(O)/%.o): | $(GEN_HDR)

$(B)/libvz.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(B)/vzctl: $(VZCTL_SRC:%.c=$(O)/%.o) $(B)/libvz.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/vzubc: $(VZUBC_SRC:%.c=$(O)/%.o) $(B)/libvz.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/vzlist: $(VZLIST_SRC:%.c=$(O)/%.o) $(B)/libvz.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/vztmpl: $(VZTMPL_SRC:%.c=$(O)/%.o) $(B)/libvz.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/vzmigrate: $(VZMIGRATE_SRC:%.c=$(O)/%.o) $(B)/libvz.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/vzquota: $(VZQUOTA_SRC:%.c=$(O)/%.o) $(B)/libvz.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- unit tests: every selftests/unit/test-*.c against libvz, plain and sanitized
UNIT_SRC := $(wildcard selftests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:selftests/unit/%.c=$(B)/unit/%.t)
UNIT_SAN := $(UNIT_SRC:selftests/unit/%.c=$(B)/unit-san/%.t)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

$(B)/unit/%.t: selftests/unit/%.c selftests/unit/tap.h $(B)/libvz.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iselftests/unit -o $@ $< $(B)/libvz.a $(LDLIBS)

$(B)/unit-san/%.t: selftests/unit/%.c selftests/unit/tap.h $(LIB_SRC) $(GEN_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -Iselftests/unit -o $@ $< $(LIB_SRC) $(GEN_SRC) $(LDLIBS)

unit: $(UNIT_BIN) $(UNIT_SAN)
	prove $(PROVE_FLAGS) $(UNIT_BIN) $(UNIT_SAN)

# ---- integration tests (root, real namespaces/cgroups, private temporary trees)
integration: all
	VZ_BUILD=$(CURDIR)/$(B) prove $(PROVE_FLAGS) selftests/integration/*.t

# deps first, then a fresh make so pkg-config sees what was just installed
check: deps-check
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) integration

-include kernel/kernel.mk

test: check
	@missing=$$(for p in $(KERNEL_DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing missing packages:" $$missing; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi
	$(MAKE) check-kernel

bench: deps-check
	$(MAKE) all
	bench/run-all

# Install the build dependencies once; later runs only check them.
deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEPS)

deps-check:
	@missing=$$(for p in $(DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing missing packages:" $$missing; \
		$(MAKE) deps; \
	fi

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SYSCONFDIR)/vz/conf \
		$(DESTDIR)$(SYSCONFDIR)/vz/names \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(SBINDIR)/
	install -m 0755 templates/mk-busybox templates/mk-debian $(DESTDIR)$(LIBEXECDIR)/
	install -m 0755 etc/vz-boot $(DESTDIR)$(LIBEXECDIR)/
	test -e $(DESTDIR)$(SYSCONFDIR)/vz/vz.conf || install -m 0644 etc/vz.conf $(DESTDIR)$(SYSCONFDIR)/vz/vz.conf
	install -m 0644 etc/conf/ve-*.conf-sample $(DESTDIR)$(SYSCONFDIR)/vz/conf/
	install -d $(DESTDIR)$(SYSCONFDIR)/vz/dists/scripts
	install -m 0644 etc/dists/*.conf $(DESTDIR)$(SYSCONFDIR)/vz/dists/
	install -m 0755 etc/dists/scripts/*.sh $(DESTDIR)$(SYSCONFDIR)/vz/dists/scripts/
	sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' etc/vz.service >$(DESTDIR)$(UNITDIR)/vz.service
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 etc/bash_completion.d/vzctl $(DESTDIR)$(PREFIX)/share/bash-completion/completions/vzctl

demo:
	sh ./demo.sh

clean:
	rm -rf $(B)

format:
	clang-format -i lib/*.[ch] vzctl/*.[ch] templates/*.c selftests/unit/*.[ch]

.PHONY: all unit integration check test bench deps deps-check install demo clean format
