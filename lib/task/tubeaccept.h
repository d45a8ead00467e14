/* tubeaccept.h - accepting a node's tubes between hosts, despite strangers. */
#ifndef PD_TUBEACCEPT_H
#define PD_TUBEACCEPT_H

#include "key.h"
#include "seal.h"

#define PD_TUBEACCEPT_HS_MAX 32 /* handshakes under way at once */

/* A tube that passed the handshake: its fd, its name and ends (as the
 * source says, checked to be whole numbers 0..65535) and its session. */
struct pd_tubeaccept_hit {
	int fd;
	char name[64];
	int src, dst;
	struct pd_seal seal;
};

/* The owner's check of a tube that proved the key: 0 when it takes
 * h->fd (an expected tube), -1 with why (128 bytes) when not. */
typedef int (*pd_tubeaccept_fn)(void *arg, struct pd_tubeaccept_hit *h, char *why);

/*
 * Accept on lfd until `want` tubes of `task` were taken by fn, or
 * total_ms passed.  Each connection gets its handshake in a thread of
 * its own, ended (shutdown) hs_ms after it was accepted however slowly
 * its peer trickles bytes; one that fails (no key, junk, EOF, another
 * task, a tube fn does not take) is dropped and logged with its address,
 * and accepting goes on.  At most PD_TUBEACCEPT_HS_MAX handshakes run at
 * once; a connection beyond that is closed at once (and logged).
 * 0, or -1 with err ("only 1 of 2 tubes arrived within 30 s").
 */
int pd_tubeaccept_run(int lfd, const unsigned char key[PD_KEY_LEN], const char *task, int want,
		      int total_ms, int hs_ms, pd_tubeaccept_fn fn, void *arg, char *err);

#endif
