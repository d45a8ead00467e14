#!/usr/bin/env bats
# The message list of playdoh-protocol(7) against the code's tables: the
# message table of lib/wire/msgcheck.c (every message, by sender, with its
# shape) and pd-serve's dispatch table (lib/serve/server.c, a handler per
# request).  The page names each message in an item ".It Sy NAME" followed
# by "client \(-> server" or "server \(-> client", or in the handshake's
# ".It client \(-> server: Sy NAME".

bats_require_minimum_version 1.5.0

setup() {
	cd "$BATS_TEST_DIRNAME/.." || return 1
	B="${B:-build}"
	page=man/man7/playdoh-protocol.7
}

# "client OP" / "server OP" for each message the page describes, sorted.
page_messages() {
	awk '
	/^\.It (client|server) \\\(-> (server|client): Sy / { print $2, $NF; next }
	/^\.It Sy / { name = $3; getline l
		if (l ~ /^client \\\(-> server/) print "client", name
		else if (l ~ /^server \\\(-> client/) print "server", name }' "$page" | sort -u
}

# Lines of the table program starting with $1, the rest of each, sorted.
table() {
	"$B/tests/msgtab" | awk -v k="$1" '$1 == k { print $2 }' | sort -u
}

@test "the page describes requests and pushes by sender, as the parser reads it" {
	run -0 page_messages
	printf '%s\n' "$output"
	# the handshake, a request, a local-only request and a push, by hand
	[[ $output == *"client hello"* && $output == *"server challenge"* ]]
	[[ $output == *"client run"* && $output == *"client alloc"* && $output == *"server slots"* ]]
}

@test "every request the page describes is in the message table, and every request of the table is in the page" {
	diff <(page_messages | awk '$1 == "client" { print $2 }') <(table client)
}

@test "every message the server sends in the page is in the message table" {
	run -0 comm -23 <(page_messages | awk '$1 == "server" { print $2 }') <(table server)
	[ -z "$output" ]
}

@test "pd-serve's dispatch table handles every request of the message table but auth (the handshake's)" {
	diff <(table client | grep -vx auth) <(table handles)
}
