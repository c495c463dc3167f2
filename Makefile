# The two commands of the README:
#   make demo   install missing Debian packages (as root), build and run the demonstration
#   make test   install missing Debian packages (as root), build and run every test, in
#               three variants: native (-march=native, AVX-512/AVX2 kernels: every test
#               program, the benchmarks, examples, CLI and header checks), portable (no AVX:
#               the programs whose kernels change, CAUSALITY_TEST_SET=kernels) and sanitize
#               (ASan + UBSan: a representative subset, CAUSALITY_TEST_SET=representative).
# Other targets: make bench (benchmarks, JSON under build/release/bench), make format.

JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
BUILD    ?= build
CMAKE    ?= cmake
# Open MPI on one machine: loopback TCP only (no shared-memory transport surprises in containers).
MPI_LOOPBACK := --mca btl self,tcp --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo
PACKAGES := cmake make g++ libeigen3-dev libxsimd-dev xtl-dev librange-v3-dev catch2 libbenchmark-dev gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf libsqlite3-dev nlohmann-json3-dev libcurl4-openssl-dev libsecp256k1-dev openmpi-bin libopenmpi-dev

.PHONY: demo test deps test-native test-portable test-sanitize bench format clean

deps:
	@missing=""; \
	for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	  else \
	    echo "missing Debian packages:$$missing (run as root, or install them yourself)"; exit 1; \
	  fi; \
	fi
	@# The EVM tests' node (anvil) and compiler (solc-js), pinned in package-lock.json.
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages: nodejs npm"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm; \
	  else \
	    echo "missing: npm (install Node.js and npm)"; exit 1; \
	  fi; \
	fi
	@if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  echo "npm ci (anvil, solc-js)"; npm ci --no-audit --no-fund --loglevel=error; \
	fi

# configure_and_build(dir, cmake args...)
define configure_and_build
	$(CMAKE) -S . -B $(BUILD)/$(1) $(2)
	$(CMAKE) --build $(BUILD)/$(1) -j $(JOBS)
endef

demo: deps
	$(call configure_and_build,release,-DCMAKE_BUILD_TYPE=Release -DCAUSALITY_BUILD_TESTS=OFF -DCAUSALITY_BUILD_BENCHMARKS=OFF -DCAUSALITY_CHECK_HEADERS=OFF -DCAUSALITY_REQUIRE_GUESTS=ON -DCAUSALITY_REQUIRE_EVM=ON -DCAUSALITY_REQUIRE_MPI=ON)
	$(BUILD)/release/examples/quickstart
	$(BUILD)/release/examples/custom_field
	$(BUILD)/release/examples/stark_fibonacci prove 16 $(BUILD)/release/fibonacci.proof
	$(BUILD)/release/examples/stark_fibonacci verify $(BUILD)/release/fibonacci.proof 16
	$(BUILD)/release/examples/stark_verify $(BUILD)/release/fibonacci.proof 16
	$(BUILD)/release/examples/custom_extension
	$(BUILD)/release/examples/resource_ledger $(BUILD)/release/guests/note_transfer.elf $(BUILD)/release/notes.db $(BUILD)/release
	rm -rf $(BUILD)/release/cross_vm && mkdir -p $(BUILD)/release/cross_vm
	$(BUILD)/release/examples/cross_vm $(BUILD)/release/guests/fibonacci.elf $(BUILD)/release/cross_vm
	rm -f $(BUILD)/release/chain.db* $(BUILD)/release/registry-*
	CAUSALITY_EVM_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 \
	  contracts/with_anvil.sh node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil $(BUILD)/release/examples/evm_registry \
	  $(BUILD)/release/guests/note_transfer.elf $(BUILD)/release @RPC@ $(BUILD)/release/contracts/artifacts
	$(BUILD)/release/tools/causality prove $(BUILD)/release/guests/note_transfer.elf --resources $(BUILD)/release/change.run --input $(BUILD)/release/change.in -o $(BUILD)/release/change.vmproof --quiet
	$(BUILD)/release/tools/causality verify $(BUILD)/release/guests/note_transfer.elf $(BUILD)/release/change.vmproof
	$(BUILD)/release/tools/causality run $(BUILD)/release/guests/sha256.elf --stats
	$(BUILD)/release/tools/causality prove $(BUILD)/release/guests/selfcheck.elf -o $(BUILD)/release/selfcheck.vmproof
	$(BUILD)/release/tools/causality verify $(BUILD)/release/guests/selfcheck.elf $(BUILD)/release/selfcheck.vmproof
	head -c 8192 /dev/zero | tr '\0' a > $(BUILD)/release/8k.in
	$(BUILD)/release/tools/causality prove $(BUILD)/release/guests/sha256.elf --input $(BUILD)/release/8k.in --segment-cycles 65536 -o $(BUILD)/release/sha256.chain
	$(BUILD)/release/tools/causality verify $(BUILD)/release/guests/sha256.elf $(BUILD)/release/sha256.chain
	mpirun --oversubscribe --allow-run-as-root -np 3 $(MPI_LOOPBACK) $(BUILD)/release/tools/causality prove \
	  $(BUILD)/release/guests/sha256.elf --input $(BUILD)/release/8k.in --segment-cycles 65536 --mpi -o $(BUILD)/release/sha256-mpi.chain
	cmp $(BUILD)/release/sha256.chain $(BUILD)/release/sha256-mpi.chain && echo "the 3-rank MPI proof is the single machine's, byte for byte"

test: deps test-native test-portable test-sanitize
	@echo "all test variants passed"

test-native:
	$(call configure_and_build,release,-DCMAKE_BUILD_TYPE=Release -DCAUSALITY_BUILD_TESTS=ON -DCAUSALITY_BUILD_BENCHMARKS=ON -DCAUSALITY_CHECK_HEADERS=ON -DCAUSALITY_REQUIRE_GUESTS=ON -DCAUSALITY_REQUIRE_EVM=ON -DCAUSALITY_REQUIRE_MPI=ON)
	ctest --test-dir $(BUILD)/release --output-on-failure -j $(JOBS)

test-portable:
	$(call configure_and_build,portable,-DCMAKE_BUILD_TYPE=Release -DCAUSALITY_ARCH=portable -DCAUSALITY_TEST_SET=kernels -DCAUSALITY_BUILD_TESTS=ON -DCAUSALITY_BUILD_BENCHMARKS=OFF -DCAUSALITY_BUILD_EXAMPLES=OFF -DCAUSALITY_BUILD_TOOLS=OFF -DCAUSALITY_CHECK_HEADERS=OFF -DCAUSALITY_BUILD_GUESTS=OFF)
	ctest --test-dir $(BUILD)/portable --output-on-failure -j $(JOBS)

test-sanitize:
	$(call configure_and_build,sanitize,-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DCAUSALITY_SANITIZE=ON -DCAUSALITY_TEST_SET=representative -DCAUSALITY_BUILD_TESTS=ON -DCAUSALITY_BUILD_BENCHMARKS=OFF -DCAUSALITY_BUILD_EXAMPLES=OFF -DCAUSALITY_BUILD_TOOLS=OFF -DCAUSALITY_CHECK_HEADERS=OFF -DCAUSALITY_REQUIRE_GUESTS=ON -DCAUSALITY_REQUIRE_EVM=ON)
	ctest --test-dir $(BUILD)/sanitize --output-on-failure -j $(JOBS)

bench: deps
	$(call configure_and_build,release,-DCMAKE_BUILD_TYPE=Release -DCAUSALITY_BUILD_BENCHMARKS=ON)
	mkdir -p $(BUILD)/release/bench
	for b in $(BUILD)/release/benchmarks/bench_*; do \
	  $$b --benchmark_out=$(BUILD)/release/bench/$$(basename $$b).json --benchmark_out_format=json || exit 1; \
	done

format:
	clang-format -i $$(git ls-files '*.hpp' '*.cpp')

clean:
	rm -rf $(BUILD)
