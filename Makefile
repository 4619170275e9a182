# Convenience wrappers around ./run (which installs what is missing first).
EP ?= 00035
.PHONY: episode test lint bench setup
setup:
	./run setup
episode:
	./run episode $(EP)
test:
	./run test
lint:
	.venv/bin/ruff check render tests benchmarks
bench:
	.venv/bin/python benchmarks/render_speed.py
	.venv/bin/python benchmarks/normalization.py
