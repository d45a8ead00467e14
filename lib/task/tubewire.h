/* tubewire.h - opening a tube between nodes on different hosts. */
#ifndef PD_TUBEWIRE_H
#define PD_TUBEWIRE_H

#include "key.h"
#include "seal.h"

/*
 * A tube between hosts is a TCP connection from the source node to the
 * target node, opened with the protocol's mutual challenge-response
 * (both prove they hold the cluster key) and then sealed.  Its first
 * sealed frame, source to target, names it:
 *	{op: "tube", task, name, src, dst}
 * after which the connection carries the tube's messages (tube.h).
 * Everything here blocks.
 */

/* Listen on a fresh TCP port on addr (an IPv4 or IPv6 literal: the
 * address the coordinator reaches this host at), or on every address
 * when addr is NULL or "".  The listening fd, with *port set, or -1 with
 * err. */
int pd_tubewire_listen(const char *addr, int *port, char *err);

/* Open outgoing tube `name` (src -> dst) of `task` to addr:port.  The
 * connected fd, with *seal ready for pushing, or -1 with err. */
int pd_tubewire_connect(const char *addr, int port, const unsigned char key[PD_KEY_LEN], const char *task,
			const char *name, int src, int dst, struct pd_seal *seal, int timeout_ms, char *err);

/* The accepting side's handshake on an accepted fd (blocking, with no
 * timeout of its own: pd_tubeaccept_run bounds it).  0 with name, src and
 * dst (as the source says; whole numbers 0..65535) and *seal ready for
 * popping, or -1 with err (an EOF included).  fd stays open either way. */
int pd_tubewire_handshake(int fd, const unsigned char key[PD_KEY_LEN], const char *task, char name[64],
			  int *src, int *dst, struct pd_seal *seal, char *err);

#endif
