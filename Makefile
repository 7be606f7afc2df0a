# ikesim build. `make` only builds; `make deps` installs missing Debian packages;
# `make demo` and `make test` call deps first.

CC       ?= cc
BUILD    ?= build
# libclang-rt-14-dev: clang 14's libFuzzer runtime (make fuzz); valgrind: make valgrind; tshark and openssl: the
# lessons' Wireshark and certificate steps (chromium, large, only when report-check needs it).
PKGS     := libssl-dev libcjson-dev libcmocka-dev libgraphviz-dev libxml2-dev pkg-config gcc clang make \
            libclang-rt-14-dev valgrind ike-scan jq gnuplot-nox parallel libns3-dev tshark openssl
CSTD     := -std=c17 -D_POSIX_C_SOURCE=200809L
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# Graphviz (viz/): headers as system headers; the plugins are linked, not loaded from Graphviz's config.
GV_DIR   := $(shell pkg-config --variable=libdir libgvc 2>/dev/null)/graphviz
GV_CFLAGS:= $(patsubst -I%,-isystem %,$(shell pkg-config --cflags libgvc 2>/dev/null))
GV_LIBS  := $(shell pkg-config --libs libgvc 2>/dev/null) -L$(GV_DIR) -l:libgvplugin_core.so.6 \
            -l:libgvplugin_dot_layout.so.6 -l:libgvplugin_pango.so.6 -Wl,-rpath,$(GV_DIR)
XML_CFLAGS:= $(patsubst -I%,-isystem %,$(shell pkg-config --cflags libxml-2.0 2>/dev/null))
# Include paths per directory: the layers are enforced by what each directory can see (docs/architecture.md).
# engine/ (libike) and engine/host/ (libikehost) see only engine/; netsim/ adds itself; cli/ sees netsim/ only in
# the files that drive `ikesim run`, the peer's capture and the sweep's spec and job checks (CLI_RUN_SRC); viz/ never sees netsim/ or cli/; tests and benches see all.
ENGINE_INCS := -Iengine
NETSIM_INCS := -Iengine -Inetsim
CLI_INCS    := -Iengine -Icli -Iviz
VIZ_INCS    := -Iengine -Iviz $(GV_CFLAGS)
INCS        := -Iengine -Inetsim -Icli -Iviz -Itests/unit $(GV_CFLAGS) $(XML_CFLAGS)
CLI_RUN_SRC := cli/cmd_run.c cli/peer_capture.c cli/sweep_spec.c cli/sweep_jobs.c
# $(call incs_for,SOURCE,VARIANT_DIR): the include flags SOURCE is compiled with.
incs_for = $(strip $(if $(filter engine/%,$(1)),$(ENGINE_INCS),$(if $(filter netsim/%,$(1)),$(NETSIM_INCS),\
  $(if $(filter $(CLI_RUN_SRC),$(1)),$(CLI_INCS) -Inetsim,$(if $(filter cli/%,$(1)),$(CLI_INCS),\
  $(if $(filter viz/%,$(1)),$(VIZ_INCS),$(INCS) -I$(2)))))))
LIBS     := -lssl -lcrypto -lcjson -lm -pthread $(GV_LIBS)
TEST_LIBS:= -lcmocka -lxml2

HOST_SRC   := $(sort $(wildcard engine/host/*.c))
ENGINE_SRC := $(sort $(filter-out $(HOST_SRC),$(shell find engine -name '*.c')))
NETSIM_SRC := $(sort $(wildcard netsim/*.c))
CLI_LIB_SRC:= $(sort $(filter-out cli/main.c,$(wildcard cli/*.c)))
VIZ_SRC    := $(sort $(wildcard viz/*.c))
TEST_SRC   := $(sort $(wildcard tests/unit/test_*.c))
TEST_SUPPORT := $(sort $(filter-out tests/unit/main.c $(TEST_SRC),$(wildcard tests/unit/*.c)))
BENCH_SRC  := $(sort $(wildcard bench/*.c))
# The ns-3 backend (netsim/ns3/, docs/backends.md): C++17 over libns3-dev when its headers are there, else a stub
# that says how to get it. Only ikesim and the unit tests link libns3; benches and fuzzers get the stub.
NS3_ON     := $(wildcard /usr/include/ns3/core-module.h)
NS3_CC     := $(sort $(wildcard netsim/ns3/*.cc))
NS3_STUB   := netsim/ns3/ns3_stub.c
NS3_LIBS   := -lns3-internet -lns3-traffic-control -lns3-point-to-point -lns3-network -lns3-core -lstdc++
CXXSTD     := -std=c++17
CXXWARN    := -Wall -Wextra -Werror -Wshadow -Wmissing-declarations
ifeq ($(NS3_ON),)
$(info ns-3 backend: off (libns3-dev is missing; make deps installs it))
endif
# Each bench/bench_NAME.c with a main() becomes build/rel/bench_NAME, linked with the other bench/ files.
BENCH_MAIN := bench/bench_handshake.c bench/bench_rekey.c bench/bench_esp.c bench/bench_storm.c
BENCH_LIB  := $(filter-out $(BENCH_MAIN),$(BENCH_SRC))
# What links libikehost.a and libike.a (built per variant below) besides its own objects.
LIB_SRC    := $(NETSIM_SRC) $(VIZ_SRC) $(CLI_LIB_SRC)

# Variants: rel (optimised), asan (tests), clang (second compiler check), fuzz (libFuzzer, clang).
REL_DIR   := $(BUILD)/rel
ASAN_DIR  := $(BUILD)/asan
CLANG_DIR := $(BUILD)/clang
FUZZ_DIR  := $(BUILD)/fuzz
REL_FLAGS  := -O2 -g
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

.PHONY: report-check all deps demo test unit interop pcap-check clang ns3-compare bench clean check-tools pictures pictures-check report-png \
        fuzz fuzz-build fuzz-seeds valgrind
all: $(REL_DIR)/ikesim

deps:
	@missing=""; for p in $(PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "deps: need root to install:$$missing" >&2; exit 1; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	else echo "deps: all Debian packages present"; fi

# ---- object rules and libraries, one set per variant ----
objs = $(patsubst %.c,$(1)/%.o,$(2))
# $(call ns3_objs,VARIANT_DIR): the ns-3 backend's objects, or the stub's; ns3_libs: what they link.
ns3_objs = $(if $(NS3_ON),$(patsubst %.cc,$(1)/%.o,$(NS3_CC)),$(call objs,$(1),$(NS3_STUB)))
ns3_libs = $(if $(NS3_ON),$(NS3_LIBS))
# The two libraries of a variant, in link order: libikehost may use libike, never the reverse.
libs = $(1)/libikehost.a $(1)/libike.a
define variant
$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@echo "  CC  $$@"
	@$$(CC_$(1)) $$(CSTD) $$(WARN) $(2) $$(call incs_for,$$<,$(1)) -MMD -MP -c $$< -o $$@

# The ns-3 shim: same optimisation and sanitizers as the variant's C, C++17.
$(1)/%.o: %.cc
	@mkdir -p $$(dir $$@)
	@echo "  CXX $$@"
	@$$(CXX_$(1)) $$(CXXSTD) $$(CXXWARN) $(2) $$(call incs_for,$$<,$(1)) -MMD -MP -c $$< -o $$@

# libike: the engine alone. It must not call libikehost (code for its hosts), so no ike_host_ symbol may be undefined.
$(1)/libike.a: $$(call objs,$(1),$$(ENGINE_SRC))
	@echo "  AR  $$@"
	@rm -f $$@ && ar rcs $$@ $$^
	@if nm -u $$@ | grep -q ' ike_host_'; then echo "$$@: libike calls libikehost:" >&2; \
	  nm -A -u $$@ | grep ' ike_host_' >&2; rm -f $$@; exit 1; fi

# libikehost: what every host of libike shares (trace writer, names, RFC 3948 framing, atomic output files).
$(1)/libikehost.a: $$(call objs,$(1),$$(HOST_SRC))
	@echo "  AR  $$@"
	@rm -f $$@ && ar rcs $$@ $$^
endef
CC_$(REL_DIR)   = $(CC)
CC_$(ASAN_DIR)  = $(CC)
CC_$(CLANG_DIR) = clang
CC_$(FUZZ_DIR)  = clang
CXX_$(REL_DIR)  = $(CXX)
CXX_$(ASAN_DIR) = $(CXX)
CXX_$(CLANG_DIR)= clang++
CXX_$(FUZZ_DIR) = clang++
$(eval $(call variant,$(REL_DIR),$(REL_FLAGS)))
$(eval $(call variant,$(ASAN_DIR),$(ASAN_FLAGS)))
$(eval $(call variant,$(CLANG_DIR),$(REL_FLAGS)))
$(eval $(call variant,$(FUZZ_DIR),$(FUZZ_FLAGS)))

$(REL_DIR)/ikesim: $(call objs,$(REL_DIR),$(LIB_SRC) cli/main.c) $(call ns3_objs,$(REL_DIR)) $(call libs,$(REL_DIR))
	@echo "  LD  $@"
	@$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS) $(ns3_libs)

$(CLANG_DIR)/ikesim: $(call objs,$(CLANG_DIR),$(LIB_SRC) cli/main.c) $(call ns3_objs,$(CLANG_DIR)) $(call libs,$(CLANG_DIR))
	@echo "  LD  $@"
	@clang $(REL_FLAGS) -o $@ $^ $(LIBS) $(ns3_libs)

$(ASAN_DIR)/ikesim: $(call objs,$(ASAN_DIR),$(LIB_SRC) cli/main.c) $(call ns3_objs,$(ASAN_DIR)) $(call libs,$(ASAN_DIR))
	@echo "  LD  $@"
	@$(CC) $(ASAN_FLAGS) -o $@ $^ $(LIBS) $(ns3_libs)

# The unit-test runner: every tests/unit/test_NAME.c provides tests_NAME(); one cmocka group runs them all.
$(ASAN_DIR)/test_list.h: $(TEST_SRC) Makefile
	@mkdir -p $(dir $@)
	@{ for f in $(basename $(notdir $(TEST_SRC))); do echo "X($${f#test_})"; done; } > $@.tmp && \
	  { cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp; }

$(call objs,$(ASAN_DIR),$(TEST_SRC) tests/unit/main.c): $(ASAN_DIR)/test_list.h

$(ASAN_DIR)/unit_tests: $(call objs,$(ASAN_DIR),$(LIB_SRC) $(TEST_SRC) $(TEST_SUPPORT) tests/unit/main.c) \
		       $(call ns3_objs,$(ASAN_DIR)) $(call libs,$(ASAN_DIR))
	@echo "  LD  $@"
	@$(CC) $(ASAN_FLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS) $(ns3_libs)

# The scale tests (tests/unit/scale_list.h) run once, in an optimised runner built from the files that hold them:
# they check sizes, rates and outcomes of big runs, where ASan only costs time. The ASan runner skips them.
SCALE_SRC := tests/unit/test_lesson_exercises.c tests/unit/test_scenario_scale.c tests/unit/test_scenarios.c \
             tests/unit/test_storms.c
$(REL_DIR)/test_list.h: $(SCALE_SRC) Makefile
	@mkdir -p $(dir $@)
	@{ for f in $(basename $(notdir $(SCALE_SRC))); do echo "X($${f#test_})"; done; } > $@.tmp && \
	  { cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp; }

$(call objs,$(REL_DIR),$(SCALE_SRC) tests/unit/main.c): $(REL_DIR)/test_list.h

$(REL_DIR)/scale_tests: $(call objs,$(REL_DIR),$(LIB_SRC) $(SCALE_SRC) $(TEST_SUPPORT) tests/unit/main.c $(NS3_STUB)) \
		       $(call libs,$(REL_DIR))
	@echo "  LD  $@"
	@$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

# The two runners as `make test` and `make unit` run them: the scale tests first, then the ASan suite, whose
# cmocka summary stays the last line.
UNIT_BINS := $(ASAN_DIR)/unit_tests $(ASAN_DIR)/ikesim $(REL_DIR)/ikesim $(REL_DIR)/scale_tests
UNIT_ENV  := IKESIM_BIN=$(ASAN_DIR)/ikesim IKESIM_REL_BIN=$(REL_DIR)/ikesim
SCALE_RUN := $(UNIT_ENV) IKESIM_TEST_SCALE=only $(REL_DIR)/scale_tests
ASAN_RUN  := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 $(UNIT_ENV) \
             IKESIM_TEST_SCALE=skip $(ASAN_DIR)/unit_tests

# The interop run's junk sender (tests/interop/udp_blast.c): one file, libc only.
$(REL_DIR)/udp_blast: $(REL_DIR)/tests/interop/udp_blast.o
	@echo "  LD  $@"
	@$(CC) $(REL_FLAGS) -o $@ $^

$(REL_DIR)/bench_%: $(REL_DIR)/bench/bench_%.o $(call objs,$(REL_DIR),$(LIB_SRC) $(BENCH_LIB) $(NS3_STUB)) $(call libs,$(REL_DIR))
	@echo "  LD  $@"
	@$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)
.PRECIOUS: $(REL_DIR)/bench/%.o

DEMO := lessons/01-first-tunnel/scenario.json
JOBS := -j$(shell nproc 2>/dev/null || echo 2)

demo: deps
	@$(MAKE) --no-print-directory $(JOBS) all
	@mkdir -p $(BUILD)/demo
	$(REL_DIR)/ikesim run $(DEMO) --trace $(BUILD)/demo/trace.jsonl
	@$(REL_DIR)/ikesim viz states --trace $(BUILD)/demo/trace.jsonl -o $(BUILD)/demo/states.svg
	@$(REL_DIR)/ikesim viz keys $(BUILD)/demo/trace.jsonl -o $(BUILD)/demo/keys.svg
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/demo/trace.jsonl -o $(BUILD)/demo/ladder.svg
	@$(REL_DIR)/ikesim report $(BUILD)/demo/trace.jsonl -o $(BUILD)/demo/report.html
	$(REL_DIR)/ikesim run tests/scenarios/esp_two_sites.json --trace $(BUILD)/demo/traffic.jsonl --pcap $(BUILD)/demo/traffic.pcapng

# A short libFuzzer run of every target (FUZZ_TEST_SECONDS each; its build included, one job) goes on in the
# background on one core while interop, pcap-check and the scale tests run on the other (interop mostly waits on
# processes and sockets). Its log is printed when it ends, before the ASan suite, so cmocka's summary stays the
# last line; a crash fails the target. (run.sh runs each fuzzer at nice 15, as before.)
FUZZ_TEST_SECONDS ?= 5
test: deps
	@$(MAKE) --no-print-directory $(JOBS) $(UNIT_BINS) $(patsubst bench/%.c,$(REL_DIR)/%,$(BENCH_MAIN)) # benches: built, not run
	@mkdir -p $(BUILD)/logs; st=0; \
	  ( $(MAKE) --no-print-directory fuzz JOBS=-j1 FUZZ_SECONDS=$(FUZZ_TEST_SECONDS) >$(BUILD)/logs/fuzz.log 2>&1 ) & \
	  fz=$$!; $(MAKE) --no-print-directory interop || st=1; $(MAKE) --no-print-directory pcap-check || st=1; \
	  $(MAKE) --no-print-directory report-check || st=1; $(MAKE) --no-print-directory ns3-compare || st=1; \
	  $(SCALE_RUN) || st=1; wait $$fz || st=1; cat $(BUILD)/logs/fuzz.log; \
	  $(ASAN_RUN) || st=1; exit $$st

# Quick loop: build and run the cmocka suite only (no installs, no interop, no fuzzing): the scale tests in the
# optimised runner, then the rest under ASan. IKESIM_TEST_FILTER=substring runs the tests whose names contain it.
unit:
	@$(MAKE) --no-print-directory $(JOBS) $(UNIT_BINS)
	@st=0; $(SCALE_RUN) || st=1; $(ASAN_RUN) || st=1; exit $$st

# strongSwan interop matrix (tests/interop/README.md): needs root for packages and network namespaces, else skips.
# `make test` runs it first and the cmocka suite even if it fails (cmocka's summary stays last; either fails the target).
interop:
	@$(MAKE) --no-print-directory $(JOBS) $(REL_DIR)/ikesim $(ASAN_DIR)/ikesim $(REL_DIR)/udp_blast
	@IKESIM_BIN=$(REL_DIR)/ikesim IKESIM_ASAN_BIN=$(ASAN_DIR)/ikesim UDP_BLAST_BIN=$(REL_DIR)/udp_blast \
	  bash tests/interop/run.sh

# Wireshark decrypts our captures (tests/pcap/check.sh): installs tshark if missing and root, else skips.
# `make test` runs it beside interop, before the cmocka suite.
pcap-check:
	@$(MAKE) --no-print-directory $(JOBS) $(REL_DIR)/ikesim
	@IKESIM_BIN=$(REL_DIR)/ikesim bash tests/pcap/check.sh

clang:
	@$(MAKE) --no-print-directory $(JOBS) $(CLANG_DIR)/ikesim

# Every lesson and test scenario on both backends: exit code, outcomes, trace and pcap compared (docs/backends.md).
# `make test` runs it (about 45 s); it skips with a message when the ns-3 backend is not built.
ns3-compare:
	@$(MAKE) --no-print-directory $(JOBS) $(REL_DIR)/ikesim
	@bash tests/ns3/compare.sh $(REL_DIR)/ikesim $(BUILD)/ns3-compare

# libFuzzer targets (docs/fuzzing.md): tests/fuzz/fuzz_NAME.c becomes $(FUZZ_DIR)/fuzz_NAME.
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SUPPORT := $(sort $(wildcard tests/fuzz/fz_*.c) $(wildcard tests/unit/statefz*.c))
# fuzz_trace reaches `ikesim trace`'s reader and printers (cli/trace_*.c, no netsim).
FUZZ_SUPPORT += cli/trace_read.c cli/trace_filter.c cli/trace_print.c cli/trace_table.c
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60
$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/tests/fuzz/fuzz_%.o $(call objs,$(FUZZ_DIR),$(NETSIM_SRC) $(NS3_STUB) $(FUZZ_SUPPORT)) \
		    $(call libs,$(FUZZ_DIR))
	@echo "  LD  $@"
	@clang $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ -lssl -lcrypto -lcjson -lm

# Object files of the fuzz variant are kept between builds (pattern-rule intermediates otherwise vanish).
.PRECIOUS: $(FUZZ_DIR)/%.o

# Regenerates the engine targets' seeds (committed) from the harness's recorded handshake.
$(FUZZ_DIR)/seeds: $(call objs,$(FUZZ_DIR),tests/fuzz/seeds.c $(FUZZ_SUPPORT)) $(call libs,$(FUZZ_DIR))
	@echo "  LD  $@"
	@clang $(FUZZ_FLAGS) -o $@ $^ -lssl -lcrypto -lcjson -lm
fuzz-seeds: $(FUZZ_DIR)/seeds
	@mkdir -p $(addprefix tests/fuzz/corpus/,responder responder_state initiator wire)
	@$(FUZZ_DIR)/seeds tests/fuzz/corpus

fuzz-build:
	@$(MAKE) --no-print-directory $(JOBS) $(FUZZ_BINS)

# Memcheck over every lesson and test scenario and the viz commands (tests/valgrind/run.sh); not in `make test`.
valgrind:
	@$(MAKE) --no-print-directory $(JOBS) $(REL_DIR)/ikesim
	@bash tests/valgrind/run.sh $(REL_DIR)/ikesim

# Every target for FUZZ_SECONDS each on its corpus (new finds go to build/fuzz/corpus/, not the repo).
fuzz: fuzz-build
	@FUZZ_DIR=$(FUZZ_DIR) bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

bench: all $(REL_DIR)/bench_handshake $(REL_DIR)/bench_rekey $(REL_DIR)/bench_esp $(REL_DIR)/bench_storm
	$(REL_DIR)/bench_handshake
	$(REL_DIR)/bench_rekey
	$(REL_DIR)/bench_esp
	$(REL_DIR)/bench_storm

# README pictures: the demo at a fixed seed, keys revealed. Committed; `make pictures-check` proves they regenerate.
PICTURES  := docs/img
PIC_SEED  := 1
PIC_TRACE := $(BUILD)/pictures/trace.jsonl
L3        := lessons/03-rekeying
L3_IMG    := $(L3)/img
L4        := lessons/04-esp
L4_IMG    := $(L4)/img
L4_PICS   := replay-ladder reorder-ladder rekey-ladder rekey-bands encap-ladder
L5        := lessons/05-nat-traversal
L5_IMG    := $(L5)/img
L5_PICS   := handshake-ladder keepalive-ladder broken-ladder restart-ladder symmetric-ladder
L6        := lessons/06-ikev1
L6_IMG    := $(L6)/img
L6_PICS   := mm-am-ladder states aggressive-states
L7        := lessons/07-rekey-storm
L7_IMG    := $(L7)/img
L7_PICS   := reboot sync jitter collapse job-load
# Storm plots (docs/metrics.md): the metrics of a storm scenario drawn by gnuplot.
STORM_IMG := docs/pictures
STORM_PICS:= storm_reconnect storm_reconnect_gw sweep_cookies
# The sweep picture (docs/sweep.md): jobs written with --runner none and run one after another by sh.
SWEEP_PIC_DIR := $(BUILD)/pictures/sweep
pictures: all
	@mkdir -p $(BUILD)/pictures $(PICTURES)
	@$(REL_DIR)/ikesim run $(DEMO) --seed $(PIC_SEED) --reveal-keys --quiet --trace $(PIC_TRACE) 2>/dev/null
	@$(REL_DIR)/ikesim viz states --trace $(PIC_TRACE) --node gw-a -o $(PICTURES)/states.svg
	@$(REL_DIR)/ikesim viz keys $(PIC_TRACE) --node gw-a -o $(PICTURES)/keys.svg
	@$(REL_DIR)/ikesim viz ladder $(PIC_TRACE) -o $(PICTURES)/ladder.svg
	@mkdir -p $(L3_IMG)
	@$(REL_DIR)/ikesim run $(L3)/scenario.json --reveal-keys --quiet --trace $(BUILD)/pictures/l3.jsonl 2>/dev/null
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l3.jsonl --from 218 --to 219 -o $(L3_IMG)/rekey-ladder.svg
	@$(REL_DIR)/ikesim viz keys $(BUILD)/pictures/l3.jsonl --node gw-a -o $(L3_IMG)/keys.svg
	@$(REL_DIR)/ikesim run $(L3)/collision.json --quiet --trace $(BUILD)/pictures/l3c.jsonl
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l3c.jsonl --from 120 --to 121 -o $(L3_IMG)/collision-ladder.svg
	@$(REL_DIR)/ikesim run $(L3)/dpd.json --quiet --trace $(BUILD)/pictures/l3d.jsonl
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l3d.jsonl --from 9 -o $(L3_IMG)/dpd-ladder.svg
	@mkdir -p $(L4_IMG)
	@$(REL_DIR)/ikesim run $(L4)/replay.json --quiet --trace $(BUILD)/pictures/l4r.jsonl
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l4r.jsonl --from 0.9 -o $(L4_IMG)/replay-ladder.svg
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l4r.jsonl --from 1.185 --to 1.312 -o $(L4_IMG)/reorder-ladder.svg
	@$(REL_DIR)/ikesim run $(L4)/rekey.json --quiet --trace $(BUILD)/pictures/l4k.jsonl
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l4k.jsonl --from 1.55 --to 1.7 -o $(L4_IMG)/rekey-ladder.svg
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l4k.jsonl --from 0.9 --esp bands -o $(L4_IMG)/rekey-bands.svg
	@$(REL_DIR)/ikesim run $(L4)/encap.json --quiet --trace $(BUILD)/pictures/l4e.jsonl
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l4e.jsonl --from 0.9 -o $(L4_IMG)/encap-ladder.svg
	@mkdir -p $(L5_IMG)
	@$(REL_DIR)/ikesim run $(L5)/scenario.json --quiet --trace $(BUILD)/pictures/l5.jsonl
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l5.jsonl --to 1.1 -o $(L5_IMG)/handshake-ladder.svg
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l5.jsonl --from 0.9 -o $(L5_IMG)/keepalive-ladder.svg
	@$(REL_DIR)/ikesim run tests/scenarios/nat_course_port_restricted_keepalive_off.json --quiet --trace $(BUILD)/pictures/l5b.jsonl
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l5b.jsonl --from 9 -o $(L5_IMG)/broken-ladder.svg
	@$(REL_DIR)/ikesim run tests/scenarios/nat_course_dpd_restart.json --quiet --trace $(BUILD)/pictures/l5r.jsonl
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l5r.jsonl --from 29 -o $(L5_IMG)/restart-ladder.svg
	@$(REL_DIR)/ikesim run tests/scenarios/nat_course_symmetric_pair.json --quiet --trace $(BUILD)/pictures/l5s.jsonl
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l5s.jsonl -o $(L5_IMG)/symmetric-ladder.svg
	@mkdir -p $(L6_IMG)
	@$(REL_DIR)/ikesim run $(L6)/compare.json --quiet --trace $(BUILD)/pictures/l6c.jsonl
	@$(REL_DIR)/ikesim viz ladder $(BUILD)/pictures/l6c.jsonl --nodes mm-a,mm-b,am-a,am-b -o $(L6_IMG)/mm-am-ladder.svg
	@$(REL_DIR)/ikesim viz states --ike 1 -o $(L6_IMG)/states.svg
	@$(REL_DIR)/ikesim viz states --ike 1 --trace $(BUILD)/pictures/l6c.jsonl --node am-a -o $(L6_IMG)/aggressive-states.svg
	@mkdir -p $(L7_IMG)
	@for p in $(L7_PICS); do $(REL_DIR)/ikesim run $(L7)/$$p.json --quiet --metrics $(BUILD)/pictures/l7-$$p.json && \
	  $(REL_DIR)/ikesim viz storm $(BUILD)/pictures/l7-$$p.json -o $(L7_IMG)/$$p.svg || exit 1; done
	@mkdir -p $(STORM_IMG)
	@$(REL_DIR)/ikesim run tests/scenarios/storm_small_reconnect.json --quiet --metrics $(BUILD)/pictures/storm.json
	@$(REL_DIR)/ikesim viz storm $(BUILD)/pictures/storm.json -o $(STORM_IMG)/storm_reconnect.svg
	@$(REL_DIR)/ikesim run tests/scenarios/storm_small_reconnect_gw.json --quiet --metrics $(BUILD)/pictures/storm_gw.json
	@$(REL_DIR)/ikesim viz storm $(BUILD)/pictures/storm_gw.json -o $(STORM_IMG)/storm_reconnect_gw.svg
	@rm -rf $(SWEEP_PIC_DIR) && $(REL_DIR)/ikesim sweep tests/sweep/storm_cookies.json -o $(SWEEP_PIC_DIR) --runner none >/dev/null 2>&1
	@sh $(SWEEP_PIC_DIR)/jobs.txt >/dev/null || : # a job whose expect fails exits 3; merge fails on real failures
	@$(REL_DIR)/ikesim sweep merge $(SWEEP_PIC_DIR) --plot $(STORM_IMG)/sweep_cookies.svg --y totals.cookies \
	  --by 'links[*].loss' --logx >/dev/null 2>&1

pictures-check:
	@$(MAKE) --no-print-directory pictures PICTURES=$(BUILD)/pictures/img L3_IMG=$(BUILD)/pictures/l3img \
	  L4_IMG=$(BUILD)/pictures/l4img L5_IMG=$(BUILD)/pictures/l5img L6_IMG=$(BUILD)/pictures/l6img \
	  L7_IMG=$(BUILD)/pictures/l7img \
	  STORM_IMG=$(BUILD)/pictures/stormimg >/dev/null
	@for f in states keys ladder; do cmp $(BUILD)/pictures/img/$$f.svg docs/img/$$f.svg || exit 1; done
	@for f in rekey-ladder keys collision-ladder dpd-ladder; do cmp $(BUILD)/pictures/l3img/$$f.svg $(L3)/img/$$f.svg || exit 1; done
	@for f in $(L4_PICS); do cmp $(BUILD)/pictures/l4img/$$f.svg $(L4)/img/$$f.svg || exit 1; done
	@for f in $(L5_PICS); do cmp $(BUILD)/pictures/l5img/$$f.svg $(L5)/img/$$f.svg || exit 1; done
	@for f in $(L6_PICS); do cmp $(BUILD)/pictures/l6img/$$f.svg $(L6)/img/$$f.svg || exit 1; done
	@for f in $(L7_PICS); do cmp $(BUILD)/pictures/l7img/$$f.svg $(L7)/img/$$f.svg || exit 1; done
	@for f in $(STORM_PICS); do cmp $(BUILD)/pictures/stormimg/$$f.svg $(STORM_IMG)/$$f.svg || exit 1; done
	@echo "pictures-check: docs/img/*.svg, $(STORM_IMG)/storm_*.svg, sweep_cookies.svg and $(L3), $(L4), $(L5), $(L6), $(L7) img/*.svg regenerate byte-identically"

# Renders the demo report with headless Chromium (Debian's package, installed here only: CI does not need it).
CHROMIUM_FLAGS := --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --enable-logging=stderr
report-png: demo
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] || { echo "report-png: need root to install chromium" >&2; exit 1; }; \
	  echo "report-png: installing chromium"; DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@rm -f $(BUILD)/demo/report.png; d=$$(mktemp -d); \
	  chromium $(CHROMIUM_FLAGS) --user-data-dir=$$d --screenshot=$(BUILD)/demo/report.png --window-size=1280,2000 \
	    file://$(CURDIR)/$(BUILD)/demo/report.html >$(BUILD)/demo/chromium.log 2>&1; rc=$$?; rm -rf $$d; \
	  if [ $$rc != 0 ] || ! head -c 8 $(BUILD)/demo/report.png 2>/dev/null | grep -q PNG; then \
	    echo "report-png: chromium failed (exit $$rc), see $(BUILD)/demo/chromium.log" >&2; exit 1; fi; \
	  if grep -E 'CONSOLE|Uncaught|net::ERR' $(BUILD)/demo/chromium.log; then \
	    echo "report-png: the page logged errors or fetched something" >&2; exit 1; fi
	@echo "$(BUILD)/demo/report.png"

# The report's step-through in headless Chromium (tests/report/check.sh): installs Debian's chromium if missing
# and root (like report-png), else skips; `make test` runs it beside pcap-check. ~12 s, no network.
report-check:
	@$(MAKE) --no-print-directory $(JOBS) $(REL_DIR)/ikesim
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] || { echo "report-check: skipped: no chromium, and installing it needs root" >&2; exit 0; }; \
	  echo "report-check: installing chromium"; DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@if command -v chromium >/dev/null; then IKESIM_REL_BIN=$(REL_DIR)/ikesim REPORT_CHECK_DIR=$(BUILD)/report-check \
	  bash tests/report/check.sh; fi

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
