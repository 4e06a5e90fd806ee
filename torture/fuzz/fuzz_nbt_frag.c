/*
 * The reassembler.  Input: byte 0 picks the limits (bit 0: defaults or
 * tiny ones, so "table full" is reachable), then records of
 * [length u16 BE][clock step u8, x16 ms][datagram].  Every fragment goes
 * to nbt_reasm_add at its time; the clock also expires old datagrams.
 */
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "fuzz.h"
#include "nbt/nbt_frag.h"

#define FRAG_RECORD_HEAD 3

static void check_complete(const struct nbt_dgram *whole,
			   const struct nbt_reasm_limits *lim)
{
	uint8_t *buf;
	size_t len, used;
	struct nbt_dgram again;

	fuzz_check(!nbt_dgram_is_fragment(whole), "frag: result is a fragment");
	fuzz_check(whole->user_data_len <= lim->max_user_data,
		   "frag: result above max_user_data");
	len = nbt_dgram_encoded_len(whole);
	buf = malloc(len + 1);
	fuzz_check(buf != NULL, "frag: malloc");
	/* the whole datagram must be a valid datagram again (a copy check
	 * of every USER_DATA byte under ASan, too) */
	if (nbt_dgram_encode(whole, buf, len, &used) == CODEC_OK)
		fuzz_check(nbt_dgram_decode(buf, used, &again) == CODEC_OK &&
			   again.user_data_len == whole->user_data_len,
			   "frag: reassembled datagram does not re-decode");
	free(buf);
}

int fuzz_nbt_frag(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct nbt_reasm_limits lim;
	struct nbt_reasm_stats st;
	struct nbt_reasm *r;
	uint64_t now = 1000;
	size_t pos = 1;

	if (size < 1 || mem == NULL)
		goto done;
	nbt_reasm_limits_default(&lim);
	if ((data[0] & 1) != 0) {
		lim.max_pending = 3;
		lim.max_bytes = 3000;
		lim.max_user_data = 1200;
		lim.timeout_ms = 500;
	}
	r = nbt_reasm_create(mem, &lim);
	fuzz_check(r != NULL, "frag: create");
	while (size - pos >= FRAG_RECORD_HEAD) {
		size_t len = ((size_t)data[pos] << 8) | data[pos + 1];
		struct nbt_dgram d, *whole = NULL;
		TALLOC_CTX *pkt;

		now += (uint64_t)data[pos + 2] * 16;
		pos += FRAG_RECORD_HEAD;
		if (len > size - pos)
			len = size - pos;
		nbt_reasm_expire(r, now);
		if (nbt_dgram_decode(data + pos, len, &d) == CODEC_OK &&
		    nbt_dgram_type_is_data(d.type) &&
		    nbt_dgram_is_fragment(&d)) {
			pkt = talloc_new(mem);
			fuzz_check(pkt != NULL, "frag: talloc");
			if (nbt_reasm_add(r, &d, now, pkt, &whole) ==
				    CODEC_OK && whole != NULL)
				check_complete(whole, &lim);
			talloc_free(pkt);
		}
		pos += len;
		nbt_reasm_get_stats(r, &st);
		fuzz_check(st.pending <= lim.max_pending &&
			   st.bytes <= lim.max_bytes,
			   "frag: above the pending/bytes limits");
	}
	/* past every timeout nothing may stay */
	nbt_reasm_expire(r, now + lim.timeout_ms + 1);
	nbt_reasm_get_stats(r, &st);
	fuzz_check(st.pending == 0 && st.bytes == 0,
		   "frag: datagrams outlive their timeout");
done:
	talloc_free(mem);
	return 0;
}
