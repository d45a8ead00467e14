#!/usr/bin/env bats
# make install / uninstall into a DESTDIR; a job builds against the
# installed header alone and runs with the installed pd-map.

setup() {
	D=$(mktemp -d /tmp/pdinst.XXXXXX)
	export PD_HOME="$D/home"
	# install what `make check` built: the sanitizer build under SAN=1
	SAN_ARG=SAN=0
	[ "${B:-build}" != build-san ] || SAN_ARG=SAN=1
}

teardown() {
	rm -rf "$D"
}

@test "install: binaries, header, pages and examples land under DESTDIR and PREFIX" {
	run make -s install DESTDIR="$D/root" PREFIX=/opt/pd "$SAN_ARG"
	[ "$status" -eq 0 ]
	for t in pd-serve pd-map pd-task pd-opt pd-status pd-alloc; do
		[ -x "$D/root/opt/pd/bin/$t" ]
		[ -f "$D/root/opt/pd/share/man/man1/$t.1" ]
	done
	[ -f "$D/root/opt/pd/include/playdoh.h" ]
	[ -f "$D/root/opt/pd/share/man/man3/playdoh.3" ]
	[ -f "$D/root/opt/pd/share/playdoh/examples/square.c" ]
}

@test "install: a job built against the installed header only runs" {
	make -s install DESTDIR="$D/root" PREFIX=/opt/pd "$SAN_ARG"
	cc -shared -fPIC -O2 -I"$D/root/opt/pd/include" \
		"$D/root/opt/pd/share/playdoh/examples/square.c" -o "$D/square.so"
	run bash -c "seq 1 50 | '$D/root/opt/pd/bin/pd-map' -c 2 '$D/square.so'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(seq 1 50 | awk '{ print $1 * $1 }')" ]
}

@test "uninstall removes what install put there" {
	make -s install DESTDIR="$D/root" PREFIX=/opt/pd "$SAN_ARG"
	run make -s uninstall DESTDIR="$D/root" PREFIX=/opt/pd "$SAN_ARG"
	[ "$status" -eq 0 ]
	[ -z "$(find "$D/root" -type f)" ]
}
