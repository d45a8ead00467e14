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
 * Everything here blocks, within timeout_ms for the whole exchange.
 */

/* Listen on a fresh TCP port on every address.  The listening fd, with
 * *port set, or -1 with err. */
int pd_tubewire_listen(int *port, char *err);

/* Open outgoing tube `name` (src -> dst) of `task` to addr:port.  The
 * connected fd, with *seal ready for pushing, or -1 with err. */
int pd_tubewire_connect(const char *addr, int port, const unsigned char key[PD_KEY_LEN], const char *task,
			const char *name, int src, int dst, struct pd_seal *seal, int timeout_ms, char *err);

/* Accept one tube of `task` on lfd.  The fd with name, src and dst (as
 * the source says) and *seal ready for popping, or -1 with err. */
int pd_tubewire_accept(int lfd, const unsigned char key[PD_KEY_LEN], const char *task, char name[64],
		       int *src, int *dst, struct pd_seal *seal, int timeout_ms, char *err);

#endif
