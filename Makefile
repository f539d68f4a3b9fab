# jabali-agent build.  `make`, `make check`, `make check SANITIZE=1`, `make install DESTDIR=... PREFIX=...`.

VERSION    := 0.1.0
PREFIX     ?= /usr
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
PKG_CONFIG ?= pkg-config

# Unit, catalog and AppArmor directories come from pkg-config where the .pc file provides them.
UNITDIR     ?= $(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
CATALOGDIR  ?= $(or $(shell $(PKG_CONFIG) --variable=catalogdir systemd 2>/dev/null),/usr/lib/systemd/catalog)
SYSUSERSDIR ?= $(or $(shell $(PKG_CONFIG) --variable=sysusersdir systemd 2>/dev/null),/usr/lib/sysusers.d)
TMPFILESDIR ?= $(or $(shell $(PKG_CONFIG) --variable=tmpfilesdir systemd 2>/dev/null),/usr/lib/tmpfiles.d)
APPARMORDIR ?= $(SYSCONFDIR)/apparmor.d

PKGS      := libsystemd jansson libapparmor libcap-ng libidn2 libpsl inih libnftables
TEST_PKGS := check

ifeq ($(SANITIZE),1)
CC       := clang
B        := build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
B        := build
SANFLAGS :=
endif

GIT_REV   := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
CFLAGS    ?= -O2 -g
WARNFLAGS := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter -Wmissing-prototypes \
             -Wstrict-prototypes -Wvla -Wdate-time
XCFLAGS   := -std=gnu17 $(WARNFLAGS) -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE \
             -Ilib -DAGENT_VERSION='"$(VERSION)"' -DAGENT_BUILD='"$(GIT_REV)"' \
             -DSYSCONFDIR='"$(SYSCONFDIR)"' $(SANFLAGS) $(shell $(PKG_CONFIG) --cflags $(PKGS))
XLDFLAGS  := -pie -Wl,-z,relro,-z,now $(SANFLAGS)
LIBS      := $(shell $(PKG_CONFIG) --libs $(PKGS))
TEST_LIBS := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS))

LIB_SRC  := $(sort $(wildcard lib/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CMDS     := jabali-agent jabali-agentctl
CMD_BIN  := $(CMDS:%=$(B)/%)
TEST_SRC := $(sort $(wildcard t/unit/test-*.c))
TEST_BIN := $(TEST_SRC:t/unit/%.c=$(B)/t/%)
TOOL_SRC := $(sort $(wildcard t/tools/*.c))
TOOL_BIN := $(TOOL_SRC:t/tools/%.c=$(B)/t/tools/%)

all: $(CMD_BIN) $(TOOL_BIN)

V ?= 0
ifeq ($(V),0)
Q := @
endif

$(B)/%.o: %.c $(wildcard lib/*.h) Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) -c -o $@ $<

$(B)/libjabali.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/%: $(B)/cmd/%.o $(B)/libjabali.a
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/t/%: $(B)/t/unit/%.o $(B)/libjabali.a
	@mkdir -p $(dir $@)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

$(B)/t/tools/%: $(B)/t/tools/%.o $(B)/libjabali.a
	@mkdir -p $(dir $@)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# Unit tests: every t/unit/test-*.c is one Check binary.  CK_FORK stays on so a crash fails one case only.
check: all $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do \
		echo "== $$t"; \
		AGENT_BUILD_DIR=$(B) $$t || fail=1; \
	done; exit $$fail

# Fuzz targets need clang's libFuzzer; see docs/fuzzing.md.
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz-*.c))
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=build-fuzz/%.o)
# -fno-sanitize-recover: an undefined-behaviour report must stop the fuzzer like a crash does.
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1

build-fuzz/%.o: %.c $(wildcard lib/*.h t/unit/*.h) Makefile
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -std=gnu17 $(WARNFLAGS) -D_GNU_SOURCE -Ilib -DAGENT_VERSION='"$(VERSION)"' \
		-DAGENT_BUILD='"fuzz"' -DSYSCONFDIR='"$(SYSCONFDIR)"' $(shell $(PKG_CONFIG) --cflags $(PKGS)) -c -o $@ $<

build-fuzz/fuzz-%: build-fuzz/fuzz/fuzz-%.o $(FUZZ_LIB_OBJ)
	clang -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $^ $(LIBS)

fuzz: $(FUZZ_BIN)

format-check:
	clang-format --dry-run --Werror $(wildcard lib/*.c lib/*.h cmd/*.c t/unit/*.c t/tools/*.c fuzz/*.c)

format:
	clang-format -i $(wildcard lib/*.c lib/*.h cmd/*.c t/unit/*.c t/tools/*.c fuzz/*.c)

# The action and configuration references are generated from the registry and the key table.
docs: $(B)/jabali-agent
	$(B)/jabali-agent --dump-actions-markdown > docs/actions.md.tmp && mv docs/actions.md.tmp docs/actions.md
	$(B)/jabali-agent --dump-config-markdown > docs/configuration.md.tmp && \
		mv docs/configuration.md.tmp docs/configuration.md

docs-check: $(B)/jabali-agent
	@$(B)/jabali-agent --dump-actions-markdown | diff -u docs/actions.md - \
		|| { echo "docs/actions.md is stale: run 'make docs'"; exit 1; }
	@$(B)/jabali-agent --dump-config-markdown | diff -u docs/configuration.md - \
		|| { echo "docs/configuration.md is stale: run 'make docs'"; exit 1; }

install: all
	install -d $(DESTDIR)$(LIBEXECDIR)/jabali-agent $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(CATALOGDIR) $(DESTDIR)$(APPARMORDIR) $(DESTDIR)$(SYSCONFDIR)/jabali-agent/agent.conf.d \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	install -m 0755 $(B)/jabali-agent $(DESTDIR)$(LIBEXECDIR)/jabali-agent/jabali-agent
	install -m 0755 $(B)/jabali-agentctl $(DESTDIR)$(SBINDIR)/jabali-agentctl
	sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' units/jabali-agent@.service.in > $(DESTDIR)$(UNITDIR)/jabali-agent@.service
	install -m 0644 units/jabali-agent.socket $(DESTDIR)$(UNITDIR)/jabali-agent.socket
	install -m 0644 units/jabali-agent.catalog $(DESTDIR)$(CATALOGDIR)/jabali-agent.catalog
	install -m 0644 units/jabali-agent.sysusers $(DESTDIR)$(SYSUSERSDIR)/jabali-agent.conf
	install -m 0644 units/jabali-agent.tmpfiles $(DESTDIR)$(TMPFILESDIR)/jabali-agent.conf
	sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' apparmor.d/jabali-agent > $(DESTDIR)$(APPARMORDIR)/jabali-agent
	test -e $(DESTDIR)$(SYSCONFDIR)/jabali-agent/agent.conf || \
		install -m 0644 docs/agent.conf.example $(DESTDIR)$(SYSCONFDIR)/jabali-agent/agent.conf

clean:
	rm -rf build build-san build-fuzz

.PHONY: all check fuzz format format-check docs docs-check install clean
.SECONDARY:
