# Playdoh-C.  `make` builds, `make check` tests, `make bench` measures.
# `make demo` and `make check` install missing Debian packages first.
# `make fuzz` runs the libFuzzer targets of tests/fuzz/ (see its README);
# `make reliability-report` measures faults, load and fuzzing (as root).
# Variables: PREFIX DESTDIR CC CFLAGS V=1 (show commands) SAN=1
# (AddressSanitizer + UBSan, built under build-san/) FUZZ_SECONDS FUZZ_JOBS.
# `make valgrind-check` runs the pd-serve tests with every server under
# valgrind and fails on any leak or memory error (tests/valgrind/run.sh).

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
INCDIR  ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/playdoh
PCDIR   ?= $(PREFIX)/lib/pkgconfig
CC      ?= cc
CFLAGS  ?= -O2 -g
DEPS    := libevent libsodium libcjson

ifeq ($(SAN),1)
B := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# Test jobs crash on purpose: let their SIGSEGV reach the pool as a signal.
# Tests watching output line by line use stdbuf, an LD_PRELOAD library.
export ASAN_OPTIONS := handle_segv=0:handle_sigbus=0:handle_sigfpe=0:detect_leaks=1:verify_asan_link_order=0
else
B := build
SANFLAGS :=
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(DEPS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(DEPS) 2>/dev/null)
WARN       := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
# lib/ holds playdoh.h (what jobs build against) and one folder per layer;
# every folder is on the include path, so a header is named without its
# folder (lib/opt/ is named as "opt/...").  README.md's source map.
LIB_DIRS   := base wire job run task serve front
LIB_INC    := -Ilib $(LIB_DIRS:%=-Ilib/%)
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(LIB_INC) $(PKG_CFLAGS) $(CFLAGS) $(SANFLAGS) -pthread -MMD -MP
LDLIBS     := $(PKG_LIBS) -ldl -lm -pthread

TOOLS    := pd-serve pd-map pd-task pd-opt pd-status pd-alloc
BINS     := $(TOOLS:%=$(B)/bin/%)
LIB_SRC  := $(wildcard lib/*/*.c)
LIB_OBJ  := $(LIB_SRC:lib/%.c=$(B)/obj/lib/%.o) $(B)/obj/gen/jobheader.o $(B)/obj/gen/execjob.o
# The runner job (pd-map CMD ..., pd-opt --fitness-cmd): a job .so built
# from its source and the few base modules it needs, carried inside the
# tools as bytes (lib/job/execjob.h).
EXECJOB_SRC := lib/job/runner/exec.c lib/base/spawnrun.c lib/base/shrepl.c lib/base/buf.c lib/base/xmalloc.c \
	       lib/base/err.c
UNIT_SRC := $(wildcard tests/unit/*.c)
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
EX_SRC   := $(wildcard share/examples/*.c)
EXAMPLES := $(EX_SRC:share/examples/%.c=$(B)/examples/%.so)
# The 24 BBOB functions of COCO: one job from several files, and the
# program that checks them (tests/bbob.bats).
BBOB_SRC := $(wildcard share/examples/bbob/*.c)
BBOB_HDR := $(wildcard share/examples/bbob/*.h)
BBOB     := $(B)/examples/bbob.so $(B)/tests/bbob-check
MANS     := $(wildcard man/man*/*.[1-9])
CONTRIB  := $(wildcard contrib/completion/* contrib/systemd/* contrib/slurm/*)
# CUDA examples: built with nvcc when it is on PATH or in the CUDA
# toolkit's usual place; nothing else ever needs CUDA to build.
NVCC     ?= $(firstword $(shell command -v nvcc 2>/dev/null) $(wildcard /usr/local/cuda/bin/nvcc))
GPU_SRC  := $(wildcard share/examples/gpu/*.cu)
GPU_EX   := $(GPU_SRC:share/examples/gpu/%.cu=$(B)/examples/gpu/%.so)

# Fuzz targets (tests/fuzz/TARGET.c): libFuzzer binaries under build/fuzz/
# for `make fuzz`, and the same code with a replay main() under
# $(B)/fuzz-replay/ for `make check` (tests/fuzz-replay.bats).
FUZZ_SRC     := $(filter-out tests/fuzz/replay_main.c,$(wildcard tests/fuzz/*.c))
FUZZ_TARGETS := $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=$(B)/fuzz-replay/%)

.PHONY: all check bench bench-bbob bench-gpu gpu-examples demo deps install uninstall clean lint-man unit fuzz reliability-report valgrind-check
# Keep objects between runs (they are intermediate files of pattern rules).
.SECONDARY:
all: $(B)/.deps-ok $(BINS) $(EXAMPLES) $(BBOB) $(UNITS) $(FUZZ_REPLAY) gpu-examples

# One clear line when a dependency is missing, before any compiler error.
$(B)/.deps-ok:
	@pkg-config --exists $(DEPS) || { echo "playdoh: missing build dependencies; install them with: apt-get install pkg-config libevent-dev libsodium-dev libcjson-dev (or run: make deps)" >&2; exit 1; }
	@mkdir -p $(@D) && touch $@

$(B)/obj/%.o: %.c | $(B)/.deps-ok
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# playdoh.h as a C string: pd-serve compiles jobs sent as source against
# exactly the header it was built with (lib/job/jobcc.h).
$(B)/gen/jobheader.c: lib/playdoh.h
	@mkdir -p $(@D)
	$(Q){ echo '/* Generated from lib/playdoh.h by the Makefile. */'; echo '#include "jobcc.h"'; \
	  echo 'const char pd_jobcc_header[] ='; \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $<; echo ';'; } > $@

$(B)/obj/gen/jobheader.o: $(B)/gen/jobheader.c | $(B)/.deps-ok
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/lib/pd-exec.so: $(EXECJOB_SRC) lib/playdoh.h lib/base/spawnrun.h lib/base/shrepl.h lib/base/buf.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  JOB     $@")
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -shared -fPIC -fvisibility=hidden -Ilib -Ilib/base $(SANFLAGS) -o $@ $(EXECJOB_SRC) -lm

$(B)/gen/execjob.c: $(B)/lib/pd-exec.so
	@mkdir -p $(@D)
	$(Q){ echo '/* Generated from $< by the Makefile. */'; echo '#include "execjob.h"'; \
	  echo 'const unsigned char pd_execjob_so[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; echo 'const size_t pd_execjob_so_len = sizeof pd_execjob_so;'; } > $@

$(B)/obj/gen/execjob.o: $(B)/gen/execjob.c | $(B)/.deps-ok
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/libpd.a: $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

# A tool is cmd/pd-NAME.c, or the files of cmd/pd-NAME/ when it has
# modules of its own (pd-map, pd-opt).
define link_tool
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -rdynamic -o $@ $^ $(LDLIBS)
endef
$(B)/bin/%: $(B)/obj/cmd/%.o $(B)/libpd.a
	$(link_tool)

TOOL_DIRS := $(patsubst cmd/%/,%,$(wildcard cmd/*/))
define tool_dir_rule
$(B)/bin/$(1): $(patsubst %.c,$(B)/obj/%.o,$(wildcard cmd/$(1)/*.c)) $(B)/libpd.a
	$$(link_tool)
endef
$(foreach t,$(TOOL_DIRS),$(eval $(call tool_dir_rule,$(t))))

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(B)/libpd.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

$(B)/fuzz-replay/%: $(B)/obj/tests/fuzz/%.o $(B)/obj/tests/fuzz/replay_main.o $(B)/libpd.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

# Jobs are built exactly as users build them: the header only, no library.
$(B)/examples/%.so: share/examples/%.c lib/playdoh.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  JOB     $@")
	$(Q)$(CC) -std=c11 -Wall -Wextra -O2 -shared -fPIC -Ilib $(SANFLAGS) -o $@ $< -lm

$(B)/examples/bbob.so: $(BBOB_SRC) $(BBOB_HDR) lib/playdoh.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  JOB     $@")
	$(Q)$(CC) -std=c11 -Wall -Wextra -O2 -shared -fPIC -Ilib $(SANFLAGS) -o $@ $(BBOB_SRC) -lm

$(B)/tests/bbob-check: tests/bbob/bbob_check.c $(filter-out %/bbob_job.c,$(BBOB_SRC)) $(BBOB_HDR)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -Ishare/examples/bbob $(SANFLAGS) -o $@ $(filter %.c,$^) -lm

ifeq ($(NVCC),)
gpu-examples:
	@echo "nvcc not found: CUDA examples in share/examples/gpu skipped"
else
gpu-examples: $(GPU_EX)
endif

# CUDA jobs are built as playdoh(3) tells users to build them.
$(B)/examples/gpu/%.so: share/examples/gpu/%.cu lib/playdoh.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  NVCC    $@")
	$(Q)$(NVCC) -O2 -shared -Xcompiler -fPIC -Ilib -o $@ $<

deps:
	@sh contrib/debian-deps.sh

# libFuzzer: clang, the library built again with coverage and sanitizers.
# `make fuzz FUZZ_SECONDS=N FUZZ_JOBS=J` runs every target N seconds, J at
# a time, and writes one line per target to build/fuzz/summary.txt.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 2
FUZZ_FLAGS   := -std=c11 -D_GNU_SOURCE $(WARN) $(LIB_INC) $(PKG_CFLAGS) -O1 -g -fno-omit-frame-pointer -MMD -MP
FUZZ_LIB_OBJ := $(LIB_SRC:lib/%.c=build/fuzz/obj/lib/%.o) build/fuzz/obj/gen/jobheader.o

build/fuzz/obj/%.o: %.c | $(B)/.deps-ok
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

build/fuzz/obj/gen/jobheader.o: $(B)/gen/jobheader.c | $(B)/.deps-ok
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

build/fuzz/libpd.a: $(FUZZ_LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

build/fuzz/bin/%: build/fuzz/obj/tests/fuzz/%.o build/fuzz/libpd.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

fuzz: deps $(FUZZ_TARGETS:%=build/fuzz/bin/%)
	$(Q)rm -f build/fuzz/summary.txt
	$(Q)printf '%s\n' $(FUZZ_TARGETS) | xargs -P $(FUZZ_JOBS) -I{} sh tests/fuzz/run.sh {} $(FUZZ_SECONDS); \
	  rc=$$?; cat $(FUZZ_TARGETS:%=build/fuzz/%.summary) >build/fuzz/summary.txt; \
	  cat build/fuzz/summary.txt; exit $$rc

# Issue 5's figures, measured now: fault injection, load, fuzzing (root).
reliability-report: all
	$(Q)B=$(B) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/reliability/report.sh

unit: $(UNITS)

check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory lint-man
	$(Q)B=$(B) bats --jobs $${PD_TEST_JOBS:-4} --no-parallelize-within-files tests

# The tests that start pd-serve, each server under memcheck; then every
# log is judged (a normal build: valgrind and ASan do not mix).
valgrind-check: deps
	$(Q)$(MAKE) --no-print-directory all SAN=
	$(Q)B=build sh tests/valgrind/run.sh

lint-man:
	$(Q)mandoc -T lint -W warning $(MANS)

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	seq 1 10 | $(B)/bin/pd-map -c 2 $(B)/examples/square.so

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)B=$(B) sh tests/bench/run.sh

# pd-opt IPOP/BIPOP against python3-cmaes and DEAP on the 24 BBOB
# functions (tests/bench/bbob.sh says how long, and its variables).
bench-bbob: all
	$(Q)B=$(B) sh tests/bench/bbob.sh

# playdoh.pc, written at install time for this PREFIX: jobs need only the
# header (the API is a table handed to the job), so it has Cflags, no Libs.
PC_LINES = 'prefix=$(PREFIX)' 'includedir=$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCDIR))' '' \
  'Name: playdoh' 'Description: Playdoh job interface (header only; jobs build with -shared -fPIC)' \
  "Version: $$(sed -n 's/^\#define PD_VERSION "\(.*\)"/\1/p' lib/wire/proto.h)" 'Cflags: -I$${includedir}'

# GPU against one CPU core; says so and fails where there is no GPU.
bench-gpu: all
	$(Q)B=$(B) NVCC="$(NVCC)" sh tests/bench/gpu.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(PCDIR) \
	  $(DESTDIR)$(DATADIR)/examples/sweep $(DESTDIR)$(DATADIR)/contrib/completion \
	  $(DESTDIR)$(DATADIR)/contrib/systemd $(DESTDIR)$(DATADIR)/contrib/slurm
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 lib/playdoh.h $(DESTDIR)$(INCDIR)
	printf '%s\n' $(PC_LINES) > $(DESTDIR)$(PCDIR)/playdoh.pc
	install -m 644 $(EX_SRC) $(DESTDIR)$(DATADIR)/examples
	install -m 644 share/examples/sweep/Makefile $(DESTDIR)$(DATADIR)/examples/sweep
	for f in $(CONTRIB); do m=644; [ ! -x $$f ] || m=755; install -m $$m $$f $(DESTDIR)$(DATADIR)/$$f; done
	install -d $(DESTDIR)$(DATADIR)/examples/gpu $(DESTDIR)$(DATADIR)/examples/bbob
	install -m 644 $(BBOB_SRC) $(BBOB_HDR) share/examples/bbob/README $(DESTDIR)$(DATADIR)/examples/bbob
	install -m 644 $(GPU_SRC) $(DESTDIR)$(DATADIR)/examples/gpu
	for m in $(MANS); do s=$${m%/*}; s=$${s##*/}; install -d $(DESTDIR)$(MANDIR)/$$s; install -m 644 $$m $(DESTDIR)$(MANDIR)/$$s; done

# Removes the files install wrote, and the directories it made under
# DATADIR; shared directories (bin, include, man1 ...) stay.
uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(DESTDIR)$(INCDIR)/playdoh.h $(DESTDIR)$(PCDIR)/playdoh.pc
	for m in $(MANS); do s=$${m%/*}; s=$${s##*/}; rm -f $(DESTDIR)$(MANDIR)/$$s/$${m##*/}; done
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-san

-include $(shell find $(B)/obj build/fuzz/obj -name '*.d' 2>/dev/null)
