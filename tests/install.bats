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

@test "install: playdoh.pc names the installed header for this PREFIX, no library" {
	make -s install DESTDIR="$D/root" PREFIX=/opt/pd "$SAN_ARG"
	pc=$D/root/opt/pd/lib/pkgconfig/playdoh.pc
	[ -f "$pc" ]
	grep -qx 'prefix=/opt/pd' "$pc"
	run env PKG_CONFIG_PATH="$D/root/opt/pd/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D/root" \
		pkg-config --cflags --libs playdoh
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "-I$D/root/opt/pd/include" ]
	run env PKG_CONFIG_PATH="$D/root/opt/pd/lib/pkgconfig" pkg-config --modversion playdoh
	[ "$output" = "$(sed -n 's/^#define PD_VERSION "\(.*\)"/\1/p' lib/wire/proto.h)" ]
}

@test "install: a job built with pkg-config against the installed header only runs" {
	make -s install DESTDIR="$D/root" PREFIX=/opt/pd "$SAN_ARG"
	export PKG_CONFIG_PATH="$D/root/opt/pd/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D/root"
	ex=$D/root/opt/pd/share/playdoh/examples
	# Away from the source tree, and with no -I of ours: without the
	# flags pkg-config gives, the header is not found at all.
	cd "$D"
	run cc -shared -fPIC -O2 "$ex/himmelblau.c" -o "$D/nohdr.so"
	[ "$status" -ne 0 ]
	[[ $output == *playdoh.h* ]]
	cc $(pkg-config --cflags playdoh) -shared -fPIC -O2 "$ex/himmelblau.c" -o "$D/h.so"
	cc $(pkg-config --cflags playdoh) -shared -fPIC -O2 "$ex/square.c" -o "$D/square.so"
	run bash -c "seq 1 50 | '$D/root/opt/pd/bin/pd-map' -c 2 '$D/square.so'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(seq 1 50 | awk '{ print $1 * $1 }')" ]
	grid() { awk 'BEGIN { for (x = -3; x <= 3; x++) for (y = -2; y <= 2; y++) print "x=" x " y=" y }'; }
	run bash -c "$(declare -f grid); grid | '$D/root/opt/pd/bin/pd-map' -c 2 '$D/h.so'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(grid | awk -F'[= ]' '{ x = $2; y = $4; a = x * x + y - 11; b = x + y * y - 7
		printf "%.17g\n", a * a + b * b }')" ]
}

@test "install: the examples' sweep Makefile and the contrib files are installed" {
	make -s install DESTDIR="$D/root" PREFIX=/opt/pd "$SAN_ARG"
	d=$D/root/opt/pd/share/playdoh
	[ -f "$d/examples/sweep/Makefile" ]
	for f in contrib/completion/* contrib/systemd/* contrib/slurm/*; do
		[ -f "$f" ] || continue
		cmp "$f" "$d/$f"
		[ ! -x "$f" ] || [ -x "$d/$f" ]
	done
}

@test "install: the sweep example runs from a copy of the installed examples" {
	make -s install DESTDIR="$D/root" PREFIX=/opt/pd "$SAN_ARG"
	cp -r "$D/root/opt/pd/share/playdoh/examples" "$D/ex"
	# pd-map from PATH, the job built with pkg-config from ../himmelblau.c
	PATH="$D/root/opt/pd/bin:$PATH" PKG_CONFIG_PATH="$D/root/opt/pd/lib/pkgconfig" \
		PKG_CONFIG_SYSROOT_DIR="$D/root" run make -s -C "$D/ex/sweep" TOP=/nonexistent STEP=2.5
	echo "$output"
	[ "$status" -eq 0 ]
	[ -f "$D/ex/sweep/himmelblau.so" ]
	[ "$(cat "$D/ex/sweep/results.tsv")" = "$(awk 'BEGIN { for (i = 0; i <= 4; i++) for (j = 0; j <= 4; j++) {
		x = -5 + 2.5 * i; y = -5 + 2.5 * j; a = x * x + y - 11; b = x + y * y - 7
		printf "x=%g y=%g\t%.17g\n", x, y, a * a + b * b } }')" ]
}

@test "uninstall removes what install put there" {
	make -s install DESTDIR="$D/root" PREFIX=/opt/pd "$SAN_ARG"
	run make -s uninstall DESTDIR="$D/root" PREFIX=/opt/pd "$SAN_ARG"
	[ "$status" -eq 0 ]
	[ -z "$(find "$D/root" -type f)" ]
	# and no directory of its own is left behind
	[ ! -e "$D/root/opt/pd/share/playdoh" ]
}
