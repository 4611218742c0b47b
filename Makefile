# The two commands of the README, plus the benchmark. Each does its own set-up (cached).
.PHONY: demo test bench lint

demo:
	scripts/demo.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

lint:
	scripts/lint.sh
