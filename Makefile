# mldigest: plain make + pkg-config.
#
#   make                 build both programs
#   make check           build and run every test (TAP, under prove)
#   make check SANITIZE=1  the same with ASan + UBSan, in build-san/
#   make demo            ingest the bundled sample week, render the report
#                        (DEMO_MBOX=FILE DEMO_WEEK=YYYY-Www: any mbox; contrib/demo.sh)
#   make bench           benchmarks against notmuch, mu and procmail
#   make fuzz            libFuzzer targets, FUZZ_SECONDS each (not in check)
#   make fuzz-regress    each libFuzzer target once over its seeds and regressions
#   make memcheck        the whole corpus under ASan+UBSan and under valgrind
#   make install         PREFIX=/usr/local DESTDIR=  (make uninstall the same)

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/mldigest
DOCDIR  ?= $(PREFIX)/share/doc/mldigest
CC      ?= cc
CFLAGS  ?= -O2 -g
PKG_CONFIG ?= pkg-config
PROVE   ?= prove
SANITIZE ?=

ifeq ($(SANITIZE),1)
B := build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B := build
SAN_FLAGS :=
endif

LIB_PKGS := gmime-3.0 glib-2.0 tdb libxml-2.0
AGG_PKGS := $(LIB_PKGS) json-glib-1.0 template-glib-1.0 libcmark-gfm libcurl

WARN := -Wall -Wextra -Wno-unused-parameter -Wformat=2 -Wshadow -Wstrict-prototypes
DEFS := -D_GNU_SOURCE -DMD_DATADIR='"$(DATADIR)"' -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74
# aggregate/ is grouped by pipeline part (model, facts, summary, report,
# ...): every part's folder is on the include path.
AGG_DIRS := $(sort $(dir $(wildcard aggregate/*/*.c)))
INC  := -Ilib -Iaggregate $(patsubst %/,-I%,$(AGG_DIRS))

LIB_CFLAGS  = $(shell $(PKG_CONFIG) --cflags $(LIB_PKGS))
LIB_LIBS    = $(shell $(PKG_CONFIG) --libs $(LIB_PKGS))
AGG_CFLAGS  = $(shell $(PKG_CONFIG) --cflags $(AGG_PKGS))
AGG_LIBS    = $(shell $(PKG_CONFIG) --libs $(AGG_PKGS)) -lcmark-gfm-extensions

ALL_CFLAGS = $(WARN) $(DEFS) $(INC) $(AGG_CFLAGS) $(CFLAGS) $(SAN_FLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

# Every .c in a module folder is part of it; main.c holds the program's
# main() and stays out of the module's archive so unit tests can link it.
LIB_SRC  := $(wildcard lib/*.c)
FILT_SRC := $(filter-out filter/main.c,$(wildcard filter/*.c))
AGG_SRC  := $(wildcard aggregate/*/*.c)
UNIT_SRC := $(wildcard tests/unit/test-*.c)

obj = $(patsubst %.c,$(B)/%.o,$(1))

LIB_A  := $(B)/libmldigest.a
AGG_A  := $(B)/libaggregate.a
FILTER := $(B)/mldigest-filter
AGGREGATE := $(B)/mldigest-aggregate
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
# Small programs the shell tests drive (tests/helpers/NAME.c).
TEST_HELPERS := $(patsubst tests/helpers/%.c,$(B)/tests/helpers/%,$(wildcard tests/helpers/*.c))
# ... and libraries they preload (tests/helpers/NAME.preload.c: NAME.so).
TEST_HELPERS := $(patsubst %.preload,%.so,$(TEST_HELPERS))
SHELL_TESTS := $(sort $(wildcard tests/t[0-9]*.sh))

.PHONY: all check unit-check demo bench install uninstall clean deps deps-bench fuzz FORCE
# A program is built once its main.c exists.
PROGRAMS := $(if $(wildcard filter/main.c),$(FILTER)) $(if $(wildcard aggregate/main.c),$(AGGREGATE))
all: $(PROGRAMS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The templates' directory is compiled in (MD_DATADIR): a new PREFIX or
# DATADIR rebuilds what uses it.
$(B)/datadir.stamp: FORCE
	@mkdir -p $(B); echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
$(call obj,aggregate/report/template.c): $(B)/datadir.stamp

$(LIB_A): $(call obj,$(LIB_SRC))
	@rm -f $@; ar rcs $@ $^
$(AGG_A): $(call obj,$(AGG_SRC))
	@rm -f $@; ar rcs $@ $^

# The filter runs once per message, and loading GMime's chain of shared
# libraries costs more than its work: it links everything statically from
# the -dev packages' archives, with filter/static/compat.c for what Debian
# ships no archive of, or what the filter should not pay for (see there).
# libc too: without the dynamic loader a delivery takes about 0.2 ms (8%)
# less (bench/README, section 4).  A static glibc still loads the system's
# iconv modules (and NSS, when $HOME is unset) at run time, which must
# come from the glibc it was linked with: rebuild after a glibc upgrade
# to a new major version.  If the full static link fails, libc is linked
# shared; FILTER_STATIC=no, or a failing static link, gives the shared one.
FILTER_STATIC ?= $(if $(SANITIZE),no,yes)
FILTER_ARCHIVES := -lgmime-3.0 -lgio-2.0 -lgobject-2.0 -lgmodule-2.0 \
  -lglib-2.0 -lpcre2-8 -lffi -lz -ltdb -lgpgme -lassuan -lgpg-error \
  -lidn2 -lunistring -lxml2 -lz -lm
# pread() and pwrite() go through filter/static/pread.c (the index's read
# cache, lib/readcache.h): libtdb.a's calls included, which only a static
# link can redirect.
FILTER_WRAP := -Wl,--wrap=pread -Wl,--wrap=pwrite
FILTER_FULL_STATIC := -static $(FILTER_WRAP) $(FILTER_ARCHIVES) -lm -pthread
FILTER_STATIC_LIBS := $(FILTER_WRAP) -Wl,-Bstatic $(FILTER_ARCHIVES) -Wl,-Bdynamic -lm -pthread
FILTER_OBJ := $(call obj,filter/main.c) $(call obj,$(FILT_SRC)) $(LIB_A)
# bench/parsefloor: the filter's parse alone, linked as the filter is.
PARSE_FLOOR := $(B)/bench/parsefloor
PARSE_FLOOR_OBJ := $(call obj,bench/parsefloor.c) $(LIB_A)
ifeq ($(FILTER_STATIC),yes)
# glibc warns that getpwnam() and dlopen() in a static program need its
# own shared objects at run time (see above): the first link is quiet.
# filter/static's stand-ins go first: their wrappers call into the
# library.  $(1): the objects without them.
STATIC_OBJ := $(call obj,$(wildcard filter/static/*.c))
define static_link
	@echo "$(CC) $(ALL_LDFLAGS) -o $@ $^ $(FILTER_FULL_STATIC)"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ $(FILTER_FULL_STATIC) 2>/dev/null || \
	{ echo "(no static libc here: linking $@ with a shared libc)"; \
	  echo "$(CC) $(ALL_LDFLAGS) -o $@ $^ $(FILTER_STATIC_LIBS)"; \
	  $(CC) $(ALL_LDFLAGS) -o $@ $^ $(FILTER_STATIC_LIBS) 2>/dev/null; } || \
	{ echo "(no static GMime/GLib/TDB here: linking $@ with shared libraries)"; \
	  echo "$(CC) $(ALL_LDFLAGS) -o $@ $(1) $(LIB_LIBS)"; \
	  $(CC) $(ALL_LDFLAGS) -o $@ $(1) $(LIB_LIBS); }
endef
$(FILTER): $(STATIC_OBJ) $(FILTER_OBJ)
	$(call static_link,$(FILTER_OBJ))
$(PARSE_FLOOR): $(STATIC_OBJ) $(PARSE_FLOOR_OBJ)
	$(call static_link,$(PARSE_FLOOR_OBJ))
else
$(FILTER): $(FILTER_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIB_LIBS)
$(PARSE_FLOOR): $(PARSE_FLOOR_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIB_LIBS)
endif
$(AGGREGATE): $(call obj,aggregate/main.c) $(AGG_A) $(LIB_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(AGG_LIBS)

# Unit tests link everything except the two main()s.
$(B)/tests/%: tests/unit/%.c $(AGG_A) $(call obj,$(FILT_SRC)) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.c %.o %.a,$^) $(AGG_LIBS)

# The filter linked with shared libraries, for valgrind (t0285): it cannot
# follow malloc() inside a static libc.
FILTER_SHARED := $(B)/tests/mldigest-filter-shared
$(FILTER_SHARED): $(FILTER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIB_LIBS)

# A helper talks to TDB as another program would: libtdb only.
$(B)/tests/helpers/%.so: tests/helpers/%.preload.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -shared -fPIC -o $@ $< -ldl
$(B)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(shell $(PKG_CONFIG) --cflags --libs tdb)

deps:
	@sh contrib/install-deps.sh
deps-bench:
	@sh contrib/install-deps.sh --bench

# Shell tests find the programs through MLDIGEST_BUILD.
# With SANITIZE=1 the libFuzzer targets also run over their seeds and
# regressions.
check: deps
	@$(MAKE) --no-print-directory all $(UNIT_TESTS) $(TEST_HELPERS) $(FILTER_SHARED)
	$(if $(filter 1,$(SANITIZE)),@$(MAKE) --no-print-directory fuzz-regress)
	MLDIGEST_BUILD=$(CURDIR)/$(B) $(PROVE) $(PROVE_FLAGS) $(UNIT_TESTS) $(SHELL_TESTS)

unit-check: all $(UNIT_TESTS) $(TEST_HELPERS) $(FILTER_SHARED)
	MLDIGEST_BUILD=$(CURDIR)/$(B) $(PROVE) $(PROVE_FLAGS) $(UNIT_TESTS)

demo: deps
	@$(MAKE) --no-print-directory all
	@MLDIGEST_BUILD=$(CURDIR)/$(B) sh contrib/demo.sh

bench: deps-bench
	@$(MAKE) --no-print-directory all $(PARSE_FLOOR)
	@MLDIGEST_BUILD=$(CURDIR)/$(B) sh bench/run.sh

# Fuzzing: each tests/fuzz/fuzz-NAME.c is a libFuzzer target built with
# clang and the sanitizers over the library sources.  It starts from the
# seeds in tests/data/fuzz/NAME (and the real mail of the shared corpus
# for the message parser, read in place) and keeps what it learns in
# build-fuzz/corpus/NAME; a crash leaves build-fuzz/crash-* behind.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_RUN = -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=64 \
	-artifact_prefix=build-fuzz/$*- -print_final_stats=1

# Each target is built over lib/ and the filter's mbox splitter, plus the
# aggregator sources it names in FUZZ_EXTRA_<name> (fuzz-llm-answer
# includes aggregate/llm/client.c itself, for its static readers).
FUZZ_SRC := $(LIB_SRC) filter/mbox.c
FUZZ_EXTRA_cite := aggregate/summary/cite.c aggregate/report/escape.c
FUZZ_EXTRA_llm-answer := $(filter-out aggregate/llm/client.c,$(wildcard aggregate/llm/*.c))
.SECONDEXPANSION:
build-fuzz/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(FUZZ_SRC) $$(FUZZ_EXTRA_$$*) \
    $(wildcard lib/*.h filter/*.h aggregate/*/*.h aggregate/llm/client.c)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 $(WARN) $(DEFS) $(INC) -Ifilter $(AGG_CFLAGS) \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -o $@ $< $(FUZZ_SRC) $(FUZZ_EXTRA_$*) $(AGG_LIBS)

.PHONY: $(addprefix fuzz-,$(FUZZ_NAMES))
$(addprefix fuzz-,$(FUZZ_NAMES)): fuzz-%: build-fuzz/fuzz-%
	@mkdir -p build-fuzz/corpus/$*
	G_SLICE=always-malloc $< $(FUZZ_RUN) $(if $(wildcard tests/fuzz/fuzz-$*.dict),-dict=tests/fuzz/fuzz-$*.dict) \
	  -max_len=$(if $(filter message,$*),65536,4096) build-fuzz/corpus/$* tests/data/fuzz/$* \
	  $(if $(filter message,$*),$(wildcard ../shared/corpus/tricky))

fuzz: $(addprefix fuzz-,$(FUZZ_NAMES))

# The whole real-mail corpus through the filter under ASan + UBSan (a
# build-san/ build) and under valgrind (the plain build): longer than
# make check's share of it (t0285 on the plain build, without the
# archive).
.PHONY: memcheck
memcheck: deps
	@$(MAKE) --no-print-directory SANITIZE=1 all
	@$(MAKE) --no-print-directory all build/tests/mldigest-filter-shared
	MLDIGEST_BUILD=$(CURDIR)/build-san $(PROVE) -v tests/t0285-memcheck.sh
	MLDIGEST_BUILD=$(CURDIR)/build MEMCHECK_FULL=1 $(PROVE) -v tests/t0285-memcheck.sh

# Every target once over its seeds and its regressions (inputs that once
# broke it, tests/data/fuzz-regressions/NAME): part of
# `make check SANITIZE=1`, and of CI.
.PHONY: fuzz-regress
fuzz-regress: $(addprefix build-fuzz/fuzz-,$(FUZZ_NAMES))
	@for n in $(FUZZ_NAMES); do \
	  dirs="tests/data/fuzz/$$n"; \
	  [ -d tests/data/fuzz-regressions/$$n ] && dirs="$$dirs tests/data/fuzz-regressions/$$n"; \
	  echo "fuzz-regress: $$n over $$dirs"; \
	  G_SLICE=always-malloc build-fuzz/fuzz-$$n -timeout=10 -rss_limit_mb=2048 \
	    -malloc_limit_mb=64 $$(find $$dirs -type f) 2>build-fuzz/regress-$$n.log || \
	    { tail -40 build-fuzz/regress-$$n.log; exit 1; }; \
	done

# Installed: the programs, the man pages (sections 1 and 5), the report
# and prompt templates in DATADIR/templates (where an installed
# mldigest-aggregate finds them, see aggregate/report/template.c), and
# the examples and documents under DOCDIR.
MAN1 := filter/mldigest-filter.1 aggregate/mldigest-aggregate.1
MAN5 := docs/mldigest.conf.5
DOCS := README docs/index-format.md docs/tolerated-mail.md
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(DOCDIR)/contrib
	install -m 755 $(FILTER) $(AGGREGATE) $(DESTDIR)$(BINDIR)/
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	cp -R templates/. $(DESTDIR)$(DATADIR)/templates/
	cp -R contrib/. $(DESTDIR)$(DOCDIR)/contrib/
	install -m 644 $(wildcard $(DOCS)) $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mldigest-filter $(DESTDIR)$(BINDIR)/mldigest-aggregate
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build build-san build-fuzz tests/tmp demo-out

-include $(shell find $(B) -name '*.d' 2>/dev/null)
