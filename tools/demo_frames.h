/*
 * The demonstration's datagrams: one of every kind the codecs produce.
 * Built deterministically so the suite can keep them as a vector
 * (torture/vectors/demo.pcap) and check the codecs still make the same bytes.
 */
#ifndef MAILSLOT_DEMO_FRAMES_H
#define MAILSLOT_DEMO_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "pcap_frame.h"

struct demo_frame {
	const char *what;	/* one line for humans */
	struct udp_endpoints ep;
	uint8_t *data;		/* the UDP payload (an NBT datagram) */
	size_t len;
	bool fragment;		/* tshark cannot reassemble: SMB off there */
};

/* Returns the number of frames (a talloc array on mem_ctx), or 0. */
size_t demo_frames_build(TALLOC_CTX *mem_ctx, struct demo_frame **frames);

#endif
