# ikesim build. `make` only builds; `make deps` installs missing Debian packages;
# `make demo` and `make test` call deps first.

CC       ?= cc
BUILD    ?= build
PKGS     := libssl-dev libcjson-dev libcmocka-dev pkg-config gcc clang make
CSTD     := -std=c17 -D_POSIX_C_SOURCE=200809L
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
INCS     := -Iengine -Inetsim -Icli -Itests/unit
LIBS     := -lssl -lcrypto -lcjson -lm
TEST_LIBS:= -lcmocka

ENGINE_SRC := $(sort $(shell find engine -name '*.c'))
NETSIM_SRC := $(sort $(wildcard netsim/*.c))
CLI_LIB_SRC:= $(sort $(filter-out cli/main.c,$(wildcard cli/*.c)))
TEST_SRC   := $(sort $(wildcard tests/unit/test_*.c))
TEST_SUPPORT := $(sort $(filter-out tests/unit/main.c $(TEST_SRC),$(wildcard tests/unit/*.c)))
BENCH_SRC  := $(sort $(wildcard bench/*.c))
LIB_SRC    := $(ENGINE_SRC) $(NETSIM_SRC) $(CLI_LIB_SRC)

# Variants: rel (optimised), asan (tests), clang (second compiler check).
REL_DIR   := $(BUILD)/rel
ASAN_DIR  := $(BUILD)/asan
CLANG_DIR := $(BUILD)/clang
REL_FLAGS  := -O2 -g
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

.PHONY: all deps demo test interop clang bench clean check-tools
all: $(REL_DIR)/ikesim

deps:
	@missing=""; for p in $(PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "deps: need root to install:$$missing" >&2; exit 1; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	else echo "deps: all Debian packages present"; fi

# ---- object rules, one set per variant ----
define variant
$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@echo "  CC  $$@"
	@$$(CC_$(1)) $$(CSTD) $$(WARN) $(2) $$(INCS) -I$(1) -MMD -MP -c $$< -o $$@
endef
CC_$(REL_DIR)   = $(CC)
CC_$(ASAN_DIR)  = $(CC)
CC_$(CLANG_DIR) = clang
$(eval $(call variant,$(REL_DIR),$(REL_FLAGS)))
$(eval $(call variant,$(ASAN_DIR),$(ASAN_FLAGS)))
$(eval $(call variant,$(CLANG_DIR),$(REL_FLAGS)))

objs = $(patsubst %.c,$(1)/%.o,$(2))

$(REL_DIR)/ikesim: $(call objs,$(REL_DIR),$(LIB_SRC) cli/main.c)
	@echo "  LD  $@"
	@$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

$(CLANG_DIR)/ikesim: $(call objs,$(CLANG_DIR),$(LIB_SRC) cli/main.c)
	@echo "  LD  $@"
	@clang $(REL_FLAGS) -o $@ $^ $(LIBS)

$(ASAN_DIR)/ikesim: $(call objs,$(ASAN_DIR),$(LIB_SRC) cli/main.c)
	@echo "  LD  $@"
	@$(CC) $(ASAN_FLAGS) -o $@ $^ $(LIBS)

# The unit-test runner: every tests/unit/test_NAME.c provides tests_NAME(); one cmocka group runs them all.
$(ASAN_DIR)/test_list.h: $(TEST_SRC) Makefile
	@mkdir -p $(dir $@)
	@{ for f in $(basename $(notdir $(TEST_SRC))); do echo "X($${f#test_})"; done; } > $@.tmp && \
	  { cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp; }

$(call objs,$(ASAN_DIR),$(TEST_SRC) tests/unit/main.c): $(ASAN_DIR)/test_list.h

$(ASAN_DIR)/unit_tests: $(call objs,$(ASAN_DIR),$(LIB_SRC) $(TEST_SRC) $(TEST_SUPPORT) tests/unit/main.c)
	@echo "  LD  $@"
	@$(CC) $(ASAN_FLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

# The interop run's junk sender (tests/interop/udp_blast.c): one file, libc only.
$(REL_DIR)/udp_blast: $(REL_DIR)/tests/interop/udp_blast.o
	@echo "  LD  $@"
	@$(CC) $(REL_FLAGS) -o $@ $^

$(REL_DIR)/bench_handshake: $(call objs,$(REL_DIR),$(LIB_SRC) $(BENCH_SRC))
	@echo "  LD  $@"
	@$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

DEMO := lessons/01-first-tunnel/scenario.json
JOBS := -j$(shell nproc 2>/dev/null || echo 2)

demo: deps
	@$(MAKE) --no-print-directory $(JOBS) all
	@mkdir -p $(BUILD)/demo
	$(REL_DIR)/ikesim run $(DEMO) --trace $(BUILD)/demo/trace.jsonl

test: deps
	@$(MAKE) --no-print-directory $(JOBS) $(ASAN_DIR)/unit_tests $(ASAN_DIR)/ikesim
	@st=0; $(MAKE) --no-print-directory interop || st=1; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  IKESIM_BIN=$(ASAN_DIR)/ikesim $(ASAN_DIR)/unit_tests || st=1; exit $$st

# strongSwan interop matrix (tests/interop/README.md): needs root for packages and network namespaces, else skips.
# `make test` runs it first and the cmocka suite even if it fails (cmocka's summary stays last; either fails the target).
interop:
	@$(MAKE) --no-print-directory $(JOBS) $(REL_DIR)/ikesim $(ASAN_DIR)/ikesim $(REL_DIR)/udp_blast
	@IKESIM_BIN=$(REL_DIR)/ikesim IKESIM_ASAN_BIN=$(ASAN_DIR)/ikesim UDP_BLAST_BIN=$(REL_DIR)/udp_blast \
	  bash tests/interop/run.sh

clang:
	@$(MAKE) --no-print-directory $(JOBS) $(CLANG_DIR)/ikesim

bench: all $(REL_DIR)/bench_handshake
	$(REL_DIR)/bench_handshake

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
