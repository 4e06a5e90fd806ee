/* NBT datagram decoder; decode -> encode -> decode stable. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nbt/nbt_dgram.h"

static void same_dgram(const struct nbt_dgram *a, const struct nbt_dgram *b)
{
	fuzz_check(a->type == b->type && a->flags == b->flags &&
		   a->id == b->id && a->src_ip == b->src_ip &&
		   a->src_port == b->src_port, "dgram: header changed");
	if (a->type == NBT_DGRAM_ERROR) {
		fuzz_check(a->error_code == b->error_code,
			   "dgram: error code changed");
		return;
	}
	fuzz_check(nbt_name_equal(&a->dest, &b->dest), "dgram: dest changed");
	if (!nbt_dgram_type_is_data(a->type))
		return;
	fuzz_check(nbt_name_equal(&a->source, &b->source) &&
		   a->packet_offset == b->packet_offset &&
		   a->user_data_len == b->user_data_len &&
		   (a->user_data_len == 0 ||
		    memcmp(a->user_data, b->user_data, a->user_data_len) == 0),
		   "dgram: names or user data changed");
}

int fuzz_nbt_dgram(const uint8_t *data, size_t size)
{
	struct nbt_dgram d1, d2;
	uint8_t *b1, *b2;
	size_t len, used1, used2;

	if (nbt_dgram_decode(data, size, &d1) != CODEC_OK)
		return 0;
	if (d1.user_data_len > 0)
		fuzz_check(d1.user_data >= data &&
			   d1.user_data + d1.user_data_len <= data + size,
			   "dgram: user data view outside the input");
	(void)nbt_dgram_is_fragment(&d1);
	(void)nbt_dgram_type_name(d1.type);
	(void)nbt_dgram_error_code_name(d1.error_code);
	len = nbt_dgram_encoded_len(&d1);
	b1 = malloc(len + 1);
	b2 = malloc(len + 1);
	fuzz_check(b1 != NULL && b2 != NULL, "dgram: malloc");
	if (nbt_dgram_encode(&d1, b1, len, &used1) != CODEC_OK)
		goto done;
	fuzz_check(used1 == len, "dgram: encoded_len disagrees");
	fuzz_check(nbt_dgram_decode(b1, used1, &d2) == CODEC_OK,
		   "dgram: our encoding does not decode");
	same_dgram(&d1, &d2);
	fuzz_check(nbt_dgram_encode(&d2, b2, len, &used2) == CODEC_OK,
		   "dgram: re-encode failed");
	fuzz_check_same(b1, used1, b2, used2, "dgram: encoding not stable");
done:
	free(b1);
	free(b2);
	return 0;
}
