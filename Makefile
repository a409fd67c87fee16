# Shortcuts for the scripts in scripts/.
.PHONY: run test dist release bench clean
run:
	scripts/run.sh
test:
	scripts/test.sh
release:
	scripts/release.sh
dist:
	scripts/dist.sh
bench:
	scripts/bench.sh
clean:
	rm -rf .build .build-release .build-libcurl dist sim-output
