# The two commands of the README, plus the benchmark. Each does its own set-up (cached).
.PHONY: demo test bench lint screenshots

demo:
	scripts/demo.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

lint:
	scripts/lint.sh

# the README's screenshots, taken by the browser tours (English and German)
screenshots:
	SMC_SCREENSHOTS=static/description/screenshots scripts/test.sh tests/test_ui_tours.py
