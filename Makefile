# The two commands of the README, plus the benchmark and the soak. Each does its own set-up (cached).
.PHONY: demo test bench soak lint screenshots

demo:
	scripts/demo.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

# a long bad day of the three shops; exits non-zero when anything is lost or doubled (README, Soak)
soak:
	scripts/soak.sh

lint:
	scripts/lint.sh

# the README's screenshots, taken by the browser tours (English and German)
screenshots:
	SMC_SCREENSHOTS=static/description/screenshots scripts/test.sh tests/test_ui_tours.py
